using System.Globalization;
using System.Text.RegularExpressions;

namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>
/// A small CEL subset for <c>x-kubernetes-validations</c>: literals, lists, <c>self</c>/<c>oldSelf</c>, field access,
/// <c>has()</c>, <c>size()</c>, <c>duration()</c>, string functions, <c>in</c>, comparisons, arithmetic, <c>! &amp;&amp; ||</c>, <c>?:</c>,
/// and the <c>all</c>/<c>exists</c> macros. Anything else throws <see cref="CelUnsupportedException"/> at parse time.
/// </summary>
internal sealed class CelExpression
{
    private readonly List<string> _tokens;
    private int _position;

    private CelExpression(string text) => _tokens = Tokenize(text);

    public static Func<IReadOnlyDictionary<string, object?>, object?> Compile(string text)
    {
        var parser = new CelExpression(text);
        var expression = parser.Conditional();
        if (parser._position != parser._tokens.Count)
        {
            throw new CelUnsupportedException($"unexpected '{parser._tokens[parser._position]}'");
        }

        return expression;
    }

    public static bool UsesOldSelf(string text) => Tokenize(text).Contains("oldSelf");

    private string? Peek => _position < _tokens.Count ? _tokens[_position] : null;

    private bool Accept(string token)
    {
        if (Peek != token)
        {
            return false;
        }

        _position++;
        return true;
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw new CelUnsupportedException($"expected '{token}'");
        }
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Conditional()
    {
        var condition = Or();
        if (!Accept("?"))
        {
            return condition;
        }

        var then = Conditional();
        Expect(":");
        var otherwise = Conditional();
        return s => CelValues.Truth(condition(s)) ? then(s) : otherwise(s);
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Or()
    {
        var left = And();
        while (Accept("||"))
        {
            var l = left;
            var right = And();
            left = s => CelValues.Truth(l(s)) || CelValues.Truth(right(s));
        }

        return left;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> And()
    {
        var left = Relation();
        while (Accept("&&"))
        {
            var l = left;
            var right = Relation();
            left = s => CelValues.Truth(l(s)) && CelValues.Truth(right(s));
        }

        return left;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Relation()
    {
        var left = Additive();
        var op = Peek;
        if (op is not ("==" or "!=" or "<" or "<=" or ">" or ">=" or "in"))
        {
            return left;
        }

        _position++;
        var right = Additive();
        return op switch
        {
            "==" => s => CelValues.Equal(left(s), right(s)),
            "!=" => s => !CelValues.Equal(left(s), right(s)),
            "<" => s => CelValues.Compare(left(s), right(s)) < 0,
            "<=" => s => CelValues.Compare(left(s), right(s)) <= 0,
            ">" => s => CelValues.Compare(left(s), right(s)) > 0,
            ">=" => s => CelValues.Compare(left(s), right(s)) >= 0,
            _ => s => right(s) switch
            {
                List<object?> list => list.Any(item => CelValues.Equal(item, left(s))),
                Dictionary<string, object?> map => left(s) is string key && map.ContainsKey(key),
                _ => throw new CelEvaluationException("no such overload: in"),
            },
        };
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Additive()
    {
        var left = Multiplicative();
        while (Peek is "+" or "-")
        {
            var op = _tokens[_position++];
            var l = left;
            var right = Multiplicative();
            left = s => Arithmetic(op, l(s), right(s));
        }

        return left;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Multiplicative()
    {
        var left = Unary();
        while (Peek is "*" or "/" or "%")
        {
            var op = _tokens[_position++];
            var l = left;
            var right = Unary();
            left = s => Arithmetic(op, l(s), right(s));
        }

        return left;
    }

    private static object? Arithmetic(string op, object? a, object? b) => (op, a, b) switch
    {
        ("+", string x, string y) => x + y,
        ("+", List<object?> x, List<object?> y) => x.Concat(y).ToList(),
        ("+", long x, long y) => x + y,
        ("-", long x, long y) => x - y,
        ("*", long x, long y) => x * y,
        ("/", long x, long y) when y != 0 => x / y,
        ("%", long x, long y) when y != 0 => x % y,
        _ => throw new CelEvaluationException($"no such overload: {op}"),
    };

    private Func<IReadOnlyDictionary<string, object?>, object?> Unary()
    {
        if (Accept("!"))
        {
            var operand = Unary();
            return s => !CelValues.Truth(operand(s));
        }

        if (Accept("-"))
        {
            var operand = Unary();
            return s => operand(s) switch
            {
                long l => -l,
                double d => -d,
                _ => throw new CelEvaluationException("no such overload: -"),
            };
        }

        return Member();
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Member()
    {
        var target = Primary();
        while (true)
        {
            if (Accept("."))
            {
                var name = Identifier();
                if (Accept("("))
                {
                    target = Method(target, name);
                    continue;
                }

                var t = target;
                target = s => Field(t(s), name);
            }
            else if (Accept("["))
            {
                var index = Conditional();
                Expect("]");
                var t = target;
                target = s => (t(s), index(s)) switch
                {
                    (List<object?> list, long i) when i >= 0 && i < list.Count => list[(int)i],
                    (Dictionary<string, object?> map, string key) when map.TryGetValue(key, out var v) => v,
                    _ => throw new CelEvaluationException("index out of range or no such key"),
                };
            }
            else
            {
                return target;
            }
        }
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Method(Func<IReadOnlyDictionary<string, object?>, object?> target, string name)
    {
        if (name is "all" or "exists" or "exists_one")
        {
            var variable = Identifier();
            Expect(",");
            var predicate = Conditional();
            Expect(")");
            return s =>
            {
                var items = target(s) switch
                {
                    List<object?> list => list,
                    Dictionary<string, object?> map => map.Keys.Cast<object?>().ToList(),
                    _ => throw new CelEvaluationException($"no such overload: {name}"),
                };
                var scope = new Dictionary<string, object?>(s.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
                var matches = items.Count(item => { scope[variable] = item; return CelValues.Truth(predicate(scope)); });
                return name switch { "all" => matches == items.Count, "exists" => matches > 0, _ => matches == 1 };
            };
        }

        var args = Arguments();
        return s =>
        {
            var self = target(s);
            var values = args.Select(a => a(s)).ToList();
            return (name, self, values.Count > 0 ? values[0] : null) switch
            {
                ("size", _, _) => Size(self),
                ("startsWith", string x, string y) => x.StartsWith(y, StringComparison.Ordinal),
                ("endsWith", string x, string y) => x.EndsWith(y, StringComparison.Ordinal),
                ("contains", string x, string y) => x.Contains(y, StringComparison.Ordinal),
                ("matches", string x, string y) => Regex.IsMatch(x, y, RegexOptions.None, TimeSpan.FromSeconds(1)),
                _ => throw new CelEvaluationException($"no such overload: {name}"),
            };
        };
    }

    private List<Func<IReadOnlyDictionary<string, object?>, object?>> Arguments()
    {
        var args = new List<Func<IReadOnlyDictionary<string, object?>, object?>>();
        if (Accept(")"))
        {
            return args;
        }

        do
        {
            args.Add(Conditional());
        }
        while (Accept(","));
        Expect(")");
        return args;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Primary()
    {
        var token = Peek ?? throw new CelUnsupportedException("unexpected end of rule");
        _position++;
        if (token == "(")
        {
            var inner = Conditional();
            Expect(")");
            return inner;
        }

        if (token == "[")
        {
            var items = new List<Func<IReadOnlyDictionary<string, object?>, object?>>();
            if (!Accept("]"))
            {
                do
                {
                    items.Add(Conditional());
                }
                while (Accept(","));
                Expect("]");
            }

            return s => items.Select(i => i(s)).ToList();
        }

        if (token[0] is '\'' or '"')
        {
            var text = token[1..^1];
            return _ => text;
        }

        if (char.IsAsciiDigit(token[0]))
        {
            // Boxed separately: a conditional expression would widen the long to double.
            object number = token.Contains('.', StringComparison.Ordinal)
                ? (object)double.Parse(token, CultureInfo.InvariantCulture)
                : long.Parse(token, CultureInfo.InvariantCulture);
            return _ => number;
        }

        switch (token)
        {
            case "true":
                return _ => true;
            case "false":
                return _ => false;
            case "null":
                return _ => null;
            case "has":
                return Has();
            case "size":
                Expect("(");
                var argument = Conditional();
                Expect(")");
                return s => Size(argument(s));
            case "duration":
                Expect("(");
                var text = Conditional();
                Expect(")");
                return s => CelValues.Duration(text(s));
        }

        if (!char.IsAsciiLetter(token[0]) && token[0] != '_')
        {
            throw new CelUnsupportedException($"unexpected '{token}'");
        }

        if (Peek == "(")
        {
            throw new CelUnsupportedException($"function {token} is not supported");
        }

        return s => s.TryGetValue(token, out var value) ? value : throw new CelUnsupportedException($"undeclared reference to '{token}'");
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Has()
    {
        Expect("(");
        var start = _position;
        var target = Primary();
        var path = new List<string>();
        while (Accept("."))
        {
            path.Add(Identifier());
        }

        Expect(")");
        if (path.Count == 0)
        {
            throw new CelUnsupportedException($"has() needs a field selection at token {start}");
        }

        return s =>
        {
            var current = target(s);
            for (var i = 0; i < path.Count - 1; i++)
            {
                current = Field(current, path[i]);
            }

            return current is Dictionary<string, object?> map && map.ContainsKey(path[^1]);
        };
    }

    private static object? Field(object? target, string name) =>
        target is Dictionary<string, object?> map && map.TryGetValue(name, out var value)
            ? value
            : throw new CelEvaluationException($"no such key: {name}");

    private static long Size(object? value) => value switch
    {
        string s => s.EnumerateRunes().Count(),
        List<object?> l => l.Count,
        Dictionary<string, object?> m => m.Count,
        _ => throw new CelEvaluationException("no such overload: size"),
    };

    private string Identifier()
    {
        var token = Peek;
        if (token is null || !(char.IsAsciiLetter(token[0]) || token[0] == '_'))
        {
            throw new CelUnsupportedException("expected an identifier");
        }

        _position++;
        return token;
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw new CelUnsupportedException("unterminated string");
                }

                tokens.Add(text[i..(end + 1)]);
                i = end + 1;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' || (text[i] == '.' && char.IsAsciiDigit(text[start]) && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
                {
                    tokens.Add(two);
                    i += 2;
                }
                else if ("!<>?:.,()[]+-*/%".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(c.ToString());
                    i++;
                }
                else
                {
                    throw new CelUnsupportedException($"unexpected character '{c}'");
                }
            }
        }

        return tokens;
    }
}
