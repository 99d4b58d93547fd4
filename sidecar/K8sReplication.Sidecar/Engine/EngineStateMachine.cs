using K8sReplication.Contracts.Health;

namespace K8sReplication.Sidecar.Engine;

/// <summary>
/// Created → Starting → Running → ShuttingDown → Stopped, with Failed from Starting. Illegal transitions throw:
/// they are bugs, not runtime conditions. Observable through <see cref="Changed"/> and exported as a gauge.
/// </summary>
internal sealed class EngineStateMachine
{
    private readonly Lock _gate = new();
    private EngineState _state = EngineState.Created;

    public event Action<EngineState>? Changed;

    public EngineState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public static bool IsAllowed(EngineState from, EngineState to) => (from, to) switch
    {
        (EngineState.Created, EngineState.Starting) => true,
        (EngineState.Starting, EngineState.Running) => true,
        (EngineState.Starting, EngineState.Failed) => true,
        (EngineState.Starting or EngineState.Running, EngineState.ShuttingDown) => true,
        (EngineState.ShuttingDown, EngineState.Stopped) => true,
        (EngineState.Created or EngineState.Failed, EngineState.Stopped) => true,
        _ => false,
    };

    public void MoveTo(EngineState next)
    {
        lock (_gate)
        {
            if (!IsAllowed(_state, next))
            {
                throw new InvalidOperationException($"engine cannot move from {_state} to {next}");
            }

            _state = next;
        }

        Changed?.Invoke(next);
    }

    /// <summary>Moves only when allowed; used on shutdown paths where the current state is not known.</summary>
    public bool TryMoveTo(EngineState next)
    {
        lock (_gate)
        {
            if (!IsAllowed(_state, next))
            {
                return false;
            }

            _state = next;
        }

        Changed?.Invoke(next);
        return true;
    }
}
