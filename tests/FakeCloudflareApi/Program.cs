using FakeCloudflareApi;

return args switch
{
    ["serve", .. var rest] => await ServeCommand.RunAsync(rest),
    ["connector", .. var rest] => await ConnectorCommand.RunAsync(rest),
    ["fake-systemd", .. var rest] => await FakeSystemdCommand.RunAsync(rest),
    _ => CommandLine.Usage(),
};
