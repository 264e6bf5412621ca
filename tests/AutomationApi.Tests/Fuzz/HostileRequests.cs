using System.Globalization;
using System.Text;

namespace Platform.AutomationApi.Tests.Fuzz;

/// <summary>One hostile request: what kind of hostility it carries and its raw HTTP/1.1 bytes.</summary>
/// <param name="Kind">The generator that made it, e.g. <c>deep-yaml</c> or <c>chunked</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Target">The request target (path and query).</param>
/// <param name="Bytes">The whole request as sent on the wire.</param>
public sealed record HostileRequest(string Kind, string Method, string Target, byte[] Bytes)
{
    public override string ToString() => $"{Kind}: {Method} {Target} ({Bytes.Length} bytes)";
}

/// <summary>
/// A seeded generator of malformed and hostile requests against every endpoint that takes a body: documents nested
/// up to 100,000 deep, alias bombs, lone surrogate and broken escapes, invalid UTF-8, numbers no type holds, wrong
/// types, random byte mutations, malformed chunked framing, lying Content-Length headers and oversized bodies. The
/// same seed gives the same requests, so a failure found once is found again.
/// </summary>
public sealed class HostileRequests(int seed, long bodyLimit)
{
    private static readonly string[] Names = ["fz-a", "fz-b", "fz-c"];
    private static readonly string[] Escapes = [@"\ud800", @"\udfff", @"\ud800\u0041", @"\udc00\ud800", @"\u0000", @"\uZZZZ", @"\x41", @"\u12", @"\", @"\ud83d\ude00", @"\/", @"\q"];
    private static readonly string[] Numbers = ["1e400", "-1e400", "1e-400", "99999999999999999999999", "-0", "0.5", "1.0", "08080", "0x1F90", "NaN", "Infinity", "-Infinity", "1_000", "+5", ".5", "5.", "1e", "--1", "\"8080\"", "true", "null", "[]", "{}", "[[[[1]]]]"];
    private static readonly byte[][] BadUtf8 = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE, 0xFF]];
    private static readonly string[] ContentTypes = ["application/yaml", "application/json", "text/yaml", "application/x-yaml", "application/json; charset=utf-16", "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=\"", ";;;", ""];

    private readonly Random _random = new(seed);

    /// <summary>The kinds of request, each equally likely.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        ["deep-yaml", "deep-json", "alias", "escape", "utf8", "number", "type", "mutate", "chunked", "length", "oversize", "extend", "media", "valid"];

    /// <summary>The next request.</summary>
    public HostileRequest Next()
    {
        var kind = Kinds[_random.Next(Kinds.Count)];
        return kind switch
        {
            "deep-yaml" => Spec(kind, DeepYaml()),
            "deep-json" => Spec(kind, DeepJson(), "application/json"),
            "alias" => Spec(kind, Alias()),
            "escape" => Spec(kind, Utf8(ValidJson().Replace(Pick(["platform/v1", "Environment", "payments", "api", "dev", "info"]), Pick(Escapes) + "x", StringComparison.Ordinal)), "application/json"),
            "utf8" => Spec(kind, Splice(Utf8(ValidYaml()), Pick(BadUtf8))),
            "number" => Number(kind),
            "type" => Spec(kind, Utf8(WrongType()), "application/json"),
            "mutate" => Spec(kind, Mutate(Utf8(_random.Next(2) == 0 ? ValidYaml() : ValidJson()))),
            "chunked" => Chunked(kind),
            "length" => Length(kind),
            "oversize" => Oversize(kind),
            "extend" => Extend(kind),
            "media" => Request(kind, "POST", "/v1/environments", Pick(ContentTypes), _random.Next(3) == 0 ? [] : Utf8(ValidYaml())),
            _ => Spec(kind, Utf8(_random.Next(2) == 0 ? ValidYaml() : ValidJson())),
        };
    }

    private string Name() => Pick(Names);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private string ValidYaml() => $$"""
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: {{Name()}}, team: payments, costCenter: cc-1 }
        spec:
          tier: dev
          services:
            - name: api
              type: web
              image: registry.example.com/payments/api:1.0.0
              port: 8080
              replicas: { min: 1, max: 2 }
              env: { LOG_LEVEL: info }
          resources:
            - { name: events, type: queue, fifo: false }
        """;

    private string ValidJson() =>
        $$$"""{"apiVersion":"platform/v1","kind":"Environment","metadata":{"name":"{{{Name()}}}","team":"payments","costCenter":"cc-1"},"spec":{"tier":"dev","services":[{"name":"api","type":"web","image":"registry.example.com/payments/api:1.0.0","port":8080,"replicas":{"min":1,"max":2},"env":{"LOG_LEVEL":"info"}}],"resources":[{"name":"events","type":"queue","fifo":false}]}}""";

    private int Depth() => Pick([65, 100, 1_000, 10_000, 100_000]);

    private byte[] DeepYaml()
    {
        var depth = Depth();
        return Utf8(_random.Next(3) switch
        {
            0 => $"apiVersion: platform/v1\nkind: Environment\nspec: {new string('[', depth)}{new string(']', depth)}\n",
            1 => $"spec: {string.Concat(Enumerable.Repeat("{a: ", depth))}1{new string('}', depth)}\n",
            _ => string.Concat(Enumerable.Range(0, Math.Min(depth, 5_000)).Select(i => new string(' ', i) + "- \n")),
        });
    }

    private byte[] DeepJson()
    {
        var depth = Depth();
        return Utf8(_random.Next(2) == 0
            ? $"{{\"spec\": {new string('[', depth)}{new string(']', depth)}}}"
            : $"{string.Concat(Enumerable.Repeat("{\"a\":", depth))}1{new string('}', depth)}");
    }

    private byte[] Alias()
    {
        var text = _random.Next(4) switch
        {
            0 => "&a [*a]",
            1 => "spec: *nothing",
            2 => string.Concat(Enumerable.Range(0, 10).Select(i => i == 0
                ? "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
                : $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n")),
            _ => $"x: &x {new string('[', 40)}1{new string(']', 40)}\ny: {new string('[', 30)}*x{new string(']', 30)}\n",
        };
        return Utf8(text);
    }

    private byte[] Splice(byte[] text, byte[] insert)
    {
        var at = _random.Next(text.Length);
        return [.. text.AsSpan(0, at), .. insert, .. text.AsSpan(at)];
    }

    private HostileRequest Number(string kind)
    {
        var number = Pick(Numbers);
        var field = Pick(["\"port\":8080", "\"min\":1", "\"max\":2", "\"fifo\":false"]);
        if (_random.Next(2) == 0)
        {
            return Spec(kind, Utf8(ValidJson().Replace(field, field.Split(':')[0] + ":" + number, StringComparison.Ordinal)), "application/json");
        }

        var yamlNumber = Pick([.. Numbers, ".inf", "-.inf", ".nan", "0o17", "0b101", "1:30", "~"]);
        return Spec(kind, Utf8(ValidYaml().Replace("port: 8080", "port: " + yamlNumber, StringComparison.Ordinal)));
    }

    private string WrongType()
    {
        var value = Pick(["null", "true", "1", "\"x\"", "[]", "{}", "[1,[2]]", "{\"secret\":[1]}", "{\"secret\":{\"secret\":1}}"]);
        var field = Pick(["\"platform/v1\"", "\"Environment\"", "\"payments\"", "\"dev\"", "\"info\"", "8080", "false",
            "{\"min\":1,\"max\":2}", "[{\"name\":\"events\",\"type\":\"queue\",\"fifo\":false}]"]);
        return ValidJson().Replace(field, value, StringComparison.Ordinal);
    }

    private byte[] Mutate(byte[] text)
    {
        var bytes = new List<byte>(text);
        for (var i = _random.Next(1, 12); i > 0 && bytes.Count > 0; i--)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(3))
            {
                case 0:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, (byte)_random.Next(256));
                    break;
                default:
                    bytes.RemoveAt(at);
                    break;
            }
        }

        return [.. bytes];
    }

    private (string Method, string Target) SpecRoute() => _random.Next(4) switch
    {
        0 => ("PUT", $"/v1/environments/{Name()}"),
        1 => ("POST", $"/v1/environments/{Name()}/preview"),
        _ => ("POST", "/v1/environments"),
    };

    private HostileRequest Spec(string kind, byte[] body, string contentType = "application/yaml")
    {
        var (method, target) = SpecRoute();
        return Request(kind, method, target, contentType, body);
    }

    private HostileRequest Extend(string kind)
    {
        var body = Pick([
            "{\"ttl\":\"48h\"}", "{\"ttl\":1e400}", "{\"ttl\":\"\\ud800\"}", "{\"ttl\":[]}", "{\"ttl\":null}", "{\"ttl\":\"99999999999999999999h\"}",
            "{\"ttl\":\"48h\"", "not json", "{\"ttl\":\"48h\",\"ttl\":\"1h\"}", new string('[', 10_000), "{\"ttl\":\"-1h\"}", "\"48h\"",
        ]);
        return Request(kind, "POST", $"/v1/environments/{Name()}/extend", "application/json", Utf8(body));
    }

    private HostileRequest Chunked(string kind)
    {
        var (method, target) = _random.Next(5) == 0 ? ("POST", $"/v1/environments/{Name()}/extend") : SpecRoute();
        var body = Utf8(ValidYaml());
        var framed = _random.Next(6) switch
        {
            0 => $"zz\r\n{Encoding.UTF8.GetString(body)}\r\n0\r\n\r\n",
            1 => $"{body.Length + 100:x}\r\n{Encoding.UTF8.GetString(body)}",
            2 => $"{body.Length:x}\r\n{Encoding.UTF8.GetString(body)}0\r\n\r\n",
            3 => $"{body.Length:x};{new string('x', 5_000)}\r\n{Encoding.UTF8.GetString(body)}\r\n0\r\n\r\n",
            4 => $"ffffffffffffffff\r\n{Encoding.UTF8.GetString(body)}\r\n0\r\n\r\n",
            _ => $"{body.Length:x}\r\n{Encoding.UTF8.GetString(body)}\r\n",
        };
        var head = $"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/yaml\r\nTransfer-Encoding: chunked\r\n\r\n";
        return new HostileRequest(kind, method, target, Utf8(head + framed));
    }

    private HostileRequest Length(string kind)
    {
        var (method, target) = SpecRoute();
        var body = Utf8(ValidYaml());
        var header = _random.Next(4) switch
        {
            0 => $"Content-Length: {body.Length + 500}",
            1 => "Content-Length: abc",
            2 => $"Content-Length: {body.Length}\r\nContent-Length: {body.Length + 1}",
            _ => "Content-Length: -1",
        };
        var head = $"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/yaml\r\n{header}\r\n\r\n";
        return new HostileRequest(kind, method, target, [.. Utf8(head), .. body]);
    }

    private HostileRequest Oversize(string kind)
    {
        var (method, target) = SpecRoute();
        var body = new byte[bodyLimit + _random.Next(1, 4096)];
        Array.Fill(body, (byte)'#');
        if (_random.Next(2) == 0)
        {
            return Request(kind, method, target, "application/yaml", body);
        }

        var head = $"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/yaml\r\nTransfer-Encoding: chunked\r\n\r\n";
        return new HostileRequest(kind, method, target,
            [.. Utf8(head), .. Utf8(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. body, .. Utf8("\r\n0\r\n\r\n")]);
    }

    private static HostileRequest Request(string kind, string method, string target, string contentType, byte[] body)
    {
        var head = $"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
                   (contentType.Length > 0 ? $"Content-Type: {contentType}\r\n" : "") +
                   $"Content-Length: {body.Length}\r\n\r\n";
        return new HostileRequest(kind, method, target, [.. Utf8(head), .. body]);
    }
}
