using System.Diagnostics;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

/// <summary>Hostile and broken files: every one ends in a <see cref="ConfigurationException"/> naming the field, never another exception or a hang.</summary>
public sealed partial class ConfigurationLoaderTests
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("\"alerts\": null,", "$.alerts: expected an array of alerts, got null")]
    [InlineData("\"failover_on\": null,", "$.failover_on: expected an array of strings, got null")]
    [InlineData("\"failback\": null,", "$.failback: expected a string, got null")]
    [InlineData("\"log_file\": null,", "$.log_file: expected a string, got null")]
    [InlineData("\"check_interval\": null,", "$.check_interval: expected a number, got null")]
    [InlineData("\"alerts\": [null],", "$.alerts[0]: expected an object { … }, got null")]
    public void Load_NullWhereAValueIsRequired_NamesTheField(string extra, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Write(extra: extra)));

        Assert.StartsWith(expected, Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_TunnelsNull_NamesTheField()
    {
        var path = _dir.Write("tunnels.json", "{ \"gateway_ip\": \"192.168.1.1\",\n \"tunnels\": null }");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal("$.tunnels: expected an array of tunnels, got null (leave the key out for its default) (line 2)", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_WrongTypes_EveryOneReportedWithItsLine()
    {
        var path = _dir.Write("tunnels.json", $$"""
            { "gateway_ip": 192,
              "check_interval": "3",
              "failover_on": "down",
              "tunnels": [ { "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": ["b"] }, 7 ] }
            """);

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal(
            [
                "$.gateway_ip: expected a string, got a number (line 1)",
                "$.check_interval: expected a number, got a string (line 2)",
                "$.failover_on: expected an array of strings, got a string (line 3)",
                "$.tunnels[0].service: expected a string, got an array (line 4)",
                "$.tunnels[1]: expected an object { … }, got a number (line 4)",
            ],
            e.Problems);
    }

    [Fact]
    public void Load_WrongTypesAndBrokenRules_AllReportedTogether()
    {
        var path = _dir.Write("tunnels.json", $$"""
            { "gateway_ip": "127.0.0.010", "check_interval": "3", "failover_on": ["down", 5, "healthy"],
              "tunnels": [ 7, { "account_id": "x", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": null } ] }
            """);

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal(
            [
                "$.check_interval: expected a number, got a string (line 1)",
                "$.failover_on[1]: expected a string, got a number (line 1)",
                "$.tunnels[0]: expected an object { … }, got a number (line 2)",
                "$.gateway_ip: \"127.0.0.010\" is not written as four decimal numbers without leading zeros (e.g. 192.168.1.1); short, octal and hex forms are not accepted",
                "$.failover_on: \"healthy\" is not a status that can count as failed (use down, inactive, degraded)",
                "$.tunnels[1].account_id: \"x\" is not 32 hexadecimal characters",
                "$.tunnels[1].service: missing (the systemd unit of the local backup connector)",
            ],
            e.Problems);
    }

    [Fact]
    public void Load_DuplicateKeys_NamedWithPathAndBothLines()
    {
        var path = Write(extra: "\"check_interval\": 5,\n\"check_interval\": 7,\n");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal("$.check_interval: the key is given twice (first on line 1), and the last one would silently win: remove one (line 2)", Assert.Single(e.Problems));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("{ \"gateway_ip\": \"192.168.1.1\", \"tunnels\": [ { \"account_id\"")]
    [InlineData("[]")]
    [InlineData("{} {}")]
    public void Load_EmptyTruncatedOrNotAnObject_SaysSoInWords(string text)
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(_dir.Write("tunnels.json", text)));

        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("$: ", problem);
        Assert.Matches(@"empty|ends before|must be a JSON object|after the end", problem);
    }

    [Fact]
    public void Load_InvalidUtf8_NamesTheLine()
    {
        var path = Path.Combine(_dir.Path, "tunnels.json");
        File.WriteAllBytes(path, [.. "{\n\"gateway_ip\": \""u8, 0xC3, 0x28, .. "\" }"u8]);

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal("$: not valid UTF-8 at line 2 (byte 18); save the file as UTF-8", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_ByteOrderMarkAndComments_StillAccepted()
    {
        var path = Write(extra: "// a comment\n");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(path)]);

        Assert.Equal(Token, TokenOf(ConfigurationLoader.Load(path)));
    }

    [Theory]
    [InlineData("Zx9\\r\\nsecond-line", "holds a line break (CR or LF)")]
    [InlineData("Zx9\\nsecond-line", "holds a line break (CR or LF)")]
    [InlineData("Zx9 second-line", "holds a space or tab")]
    [InlineData("Zx9\\u001bsecond-line", "holds a control character")]
    [InlineData("Zx9\\u00e9second-line", "holds a non-ASCII character")]
    public void Load_InlineTokenWithBadCharacter_NamesFieldAndSourceNotTheToken(string token, string problem)
    {
        var path = Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{token}}", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.StartsWith($"$.tunnels[0].token: the inline token {problem}", Assert.Single(e.Problems));
        Assert.DoesNotContain("second-line", e.Message);
    }

    [Theory]
    [InlineData("\n", true)]
    [InlineData("\r\n", true)]
    [InlineData("", true)]
    [InlineData("\nsecond-line\n", false)]
    [InlineData("\n\n", false)]
    [InlineData(" \n", false)]
    [InlineData("\r", false)]
    public void Load_TokenFile_OnlyOneTrailingNewlineIsTrimmed(string tail, bool accepted)
    {
        var tokenFile = _dir.Write("web.token", Token + tail);
        Chmod(tokenFile, "600");

        var problems = Record.Exception(() => ConfigurationLoader.Load(WriteWithTokenFile())) is ConfigurationException e ? e.Problems : [];

        if (accepted)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.StartsWith($"$.tunnels[0].token_file: the token in {tokenFile} holds a ", Assert.Single(problems));
            Assert.DoesNotContain(Token, problems[0]);
        }
    }

    [Theory]
    [InlineData("dangling", "a symbolic link to")]
    [InlineData("loop", "a loop of symbolic links")]
    public void Load_TokenFileBrokenSymlink_NamesTheFile(string kind, string problem)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        var link = Path.Combine(_dir.Path, "web.token");
        File.CreateSymbolicLink(link, kind == "loop" ? link : Path.Combine(_dir.Path, "absent"));

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(WriteWithTokenFile()));

        Assert.StartsWith($"$.tunnels[0].token_file: cannot read {link}: {problem}", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_EmptyPath_ConfigurationProblem()
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(""));

        Assert.StartsWith("$: no configuration file named", Assert.Single(e.Problems));
    }

    [Theory]
    [InlineData("config")]
    [InlineData("token_file")]
    public async Task Load_Fifo_RefusedWithoutWaitingForAWriter(string which)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "mkfifo");
        var fifo = Path.Combine(_dir.Path, which == "config" ? "fifo.json" : "web.token");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var path = which == "config" ? fifo : WriteWithTokenFile();
        var load = Task.Run(() => Record.Exception(() => ConfigurationLoader.Load(path)));
        var finished = await Task.WhenAny(load, Task.Delay(HangLimit, TestContext.Current.CancellationToken)) == load;
        if (!finished)
        {
            // Free the blocked reader so the test run can end.
            await File.WriteAllTextAsync(fifo, "{}", TestContext.Current.CancellationToken);
        }

        Assert.True(finished, $"loading with a FIFO as {which} still blocks after {HangLimit}");
        var e = Assert.IsType<ConfigurationException>(await load);
        Assert.Contains("not a regular file (a FIFO)", Assert.Single(e.Problems));
    }

    [Theory]
    [InlineData("config")]
    [InlineData("token_file")]
    public async Task Load_DevZero_RefusedWithoutReadingIt(string which)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "/dev/zero");
        var path = which == "config" ? "/dev/zero" : Write(tunnel: $$"""{ "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token_file": "/dev/zero", "service": "b" }""");

        var load = Task.Run(() => Record.Exception(() => ConfigurationLoader.Load(path)));
        var finished = await Task.WhenAny(load, Task.Delay(HangLimit, TestContext.Current.CancellationToken)) == load;

        Assert.True(finished, $"loading with /dev/zero as {which} still reads after {HangLimit}");
        var e = Assert.IsType<ConfigurationException>(await load);
        Assert.Contains("not a regular file (a character device)", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_ConfigOverTheSizeCap_Refused()
    {
        var path = Write(extra: $"\"log_file\": \"/{new string('a', 4 * 1024 * 1024)}\",");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        Assert.Equal($"$: cannot read {path}: larger than 4 MiB, more than this file can hold", Assert.Single(e.Problems));
    }

    [Fact]
    public void Load_TokenFileOverTheSizeCap_Refused()
    {
        Chmod(_dir.Write("web.token", new string('a', 5000)), "600");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(WriteWithTokenFile()));

        Assert.EndsWith("larger than 4 KiB, more than this file can hold", Assert.Single(e.Problems));
    }

    [Theory]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("127.0.0.010", "four decimal numbers")]
    [InlineData("127.1", "four decimal numbers")]
    [InlineData("0x7f.0.0.1", "four decimal numbers")]
    [InlineData("0:0:0:0:0:0:0:1", "write ::1")]
    [InlineData("192.168.1.1", null)]
    [InlineData("::1", null)]
    [InlineData("2001:db8::1", null)]
    [InlineData("fe80::1%1", null)]
    public void Load_GatewayIp_OnlyUsableAddressesInCanonicalForm(string address, string? problem)
    {
        var path = _dir.Write("tunnels.json", $$"""
            { "gateway_ip": "{{address}}", "tunnels": [ { "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b" } ] }
            """);

        var problems = Record.Exception(() => ConfigurationLoader.Load(path)) is ConfigurationException e ? e.Problems : [];

        if (problem is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.StartsWith($"$.gateway_ip: \"{address}\" ", Assert.Single(problems));
            Assert.Contains(problem, problems[0]);
        }
    }

    [Theory]
    [InlineData("http://admin:hunter2@api.example.com:8443/client/v4/?key=sekret#anchor7", "(given: http://api.example.com:8443/client/v4/)")]
    [InlineData("https://admin:hunter2@api.example.com/client/v4/?key=sekret#anchor7", "must not hold user:password@")]
    public void Load_ApiBaseUrlInvalid_NeverEchoesUserInfoQueryOrFragment(string url, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(Write(extra: $"\"api_base_url\": \"{url}\",")));

        Assert.Contains(e.Problems, p => p.StartsWith("$.api_base_url:", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal));
        foreach (var secret in new[] { "admin", "hunter2", "sekret", "anchor7" })
        {
            Assert.DoesNotContain(secret, e.Message);
        }
    }

    [Theory]
    [InlineData("web\\n2026-01-01 00:00:00 [CRITICAL] forged")]
    [InlineData("web\\u001b]0;title\\u0007")]
    [InlineData("web\\u202e")]
    public void Load_TunnelNameWithControlCharacter_RejectedAndShownEscaped(string name)
    {
        var path = Write(tunnel: $$"""{ "name": "{{name}}", "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b" }""");

        var e = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path));

        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("$.tunnels[0].name: \"web\\", problem);
        Assert.DoesNotContain(problem, c => char.IsControl(c) || c == '\u202e');
    }

    [Theory]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void Load_TunnelName_AtMost100Characters(int length, bool accepted)
    {
        var path = Write(tunnel: $$"""{ "name": "{{new string('n', length)}}", "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b" }""");

        var problems = Record.Exception(() => ConfigurationLoader.Load(path)) is ConfigurationException e ? e.Problems : [];

        Assert.Equal(accepted, problems.Count == 0);
    }
}
