using Microsoft.Extensions.Options;

namespace FailoverMonitor.Configuration;

/// <summary>
/// The validators the Options source generator writes for the attributes (<c>[Required]</c>, <c>[Range]</c>) on the
/// option types: plain code, no reflection, so NativeAOT keeps them. They are called by
/// <see cref="TunnelsFileValidator"/>, which names each failure by its JSON path, rather than registered with the
/// options pattern: the options are read from <c>tunnels.json</c> by <see cref="ConfigurationLoader"/> (before the
/// host exists, and again on reload), never bound from <c>IConfiguration</c>, so nothing would ever run a registered
/// <see cref="IValidateOptions{TOptions}"/>.
/// </summary>
internal static partial class AttributeValidators
{
    /// <summary>The top-level keys.</summary>
    public static readonly RootValidator Root = new();

    /// <summary>One <c>tunnels[]</c> entry.</summary>
    public static readonly TunnelValidator Tunnel = new();

    /// <summary>One <c>alerts[]</c> entry.</summary>
    public static readonly AlertValidator Alert = new();

    /// <summary>Checks the attributes of <see cref="TunnelsFile"/> (its lists' entries are checked one by one).</summary>
    [OptionsValidator]
    internal sealed partial class RootValidator : IValidateOptions<TunnelsFile>;

    /// <summary>Checks the attributes of <see cref="TunnelEntry"/>.</summary>
    [OptionsValidator]
    internal sealed partial class TunnelValidator : IValidateOptions<TunnelEntry>;

    /// <summary>Checks the attributes of <see cref="AlertEntry"/>.</summary>
    [OptionsValidator]
    internal sealed partial class AlertValidator : IValidateOptions<AlertEntry>;
}
