namespace FakeCloudflareApi;

/// <summary>Outcome of checking a bearer token against an account.</summary>
internal enum AuthResult { Ok, Forbidden, UnknownAccount }

/// <summary>Tunnels, connectors and tokens: the one copy shared by the in-process methods and the admin API.</summary>
internal sealed class FakeState(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<Tunnel> _tunnels = [];
    private readonly Dictionary<string, Tunnel> _byId = new(StringComparer.OrdinalIgnoreCase);

    public void AddTunnel(string accountId, string tunnelId, string name, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(tunnelId);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrEmpty(token);
        lock (_gate)
        {
            if (_byId.TryGetValue(tunnelId, out var existing))
            {
                // Upsert: keeps connectors and timestamps, moves the tunnel if the account changed.
                existing.AccountId = accountId;
                existing.Name = name;
                existing.Token = token;
                return;
            }

            var now = time.GetUtcNow();
            var tunnel = new Tunnel(tunnelId, now) { AccountId = accountId, Name = name, Token = token, ConnsInactiveAt = now };
            _tunnels.Add(tunnel);
            _byId.Add(tunnelId, tunnel);
        }
    }

    public void AddConnector(string tunnelId, string connectorId, int connections)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectorId);
        ArgumentOutOfRangeException.ThrowIfNegative(connections);
        lock (_gate)
        {
            var tunnel = Get(tunnelId);
            Mutate(tunnel, now =>
            {
                var conns = Enumerable.Range(0, connections).Select(_ => new Conn(Guid.NewGuid().ToString(), now)).ToList();
                var connector = new Connector(connectorId, now, conns);
                var index = tunnel.Connectors.FindIndex(c => c.Id == connectorId);
                if (index >= 0)
                {
                    tunnel.Connectors[index] = connector; // a re-registration is a fresh start
                }
                else
                {
                    tunnel.Connectors.Add(connector);
                }

                tunnel.EverHadConnector = true;
            });
        }
    }

    public bool RemoveConnector(string tunnelId, string connectorId)
    {
        lock (_gate)
        {
            var tunnel = Get(tunnelId);
            var removed = false;
            Mutate(tunnel, _ => removed = tunnel.Connectors.RemoveAll(c => c.Id == connectorId) > 0);
            return removed;
        }
    }

    public void MarkConnectorPendingReconnect(string tunnelId, string connectorId)
    {
        lock (_gate)
        {
            var tunnel = Get(tunnelId);
            var connector = tunnel.Connectors.Find(c => c.Id == connectorId)
                ?? throw new KeyNotFoundException($"Tunnel {tunnelId} has no connector {connectorId}.");
            Mutate(tunnel, _ => connector.Conns.ForEach(c => c.Pending = true));
        }
    }

    /// <summary>Makes a tunnel count as having run (derived status <c>down</c> rather than <c>inactive</c> without connectors).</summary>
    public void MarkRan(string tunnelId)
    {
        lock (_gate)
        {
            Get(tunnelId).EverHadConnector = true;
        }
    }

    public void SetStatus(string tunnelId, string? status, int? reads = null)
    {
        lock (_gate)
        {
            var tunnel = Get(tunnelId);
            tunnel.StatusOverride = status;
            tunnel.StatusOverrideReads = status is null ? null : reads;
        }
    }

    /// <summary>
    /// Counts one API read (a list or a get) of each tunnel against a status override given for a number of reads:
    /// the client sees that status exactly that often, however fast it polls.
    /// </summary>
    public void CountStatusReads(IEnumerable<string> tunnelIds)
    {
        lock (_gate)
        {
            foreach (var t in tunnelIds.Select(Get).Where(t => t.StatusOverrideReads is not null))
            {
                if (--t.StatusOverrideReads <= 0)
                {
                    (t.StatusOverride, t.StatusOverrideReads) = (null, null);
                }
            }
        }
    }

    public TunnelSnapshot? Find(string tunnelId)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(tunnelId, out var tunnel) ? Snapshot(tunnel) : null;
        }
    }

    public IReadOnlyList<TunnelSnapshot> All()
    {
        lock (_gate)
        {
            return [.. _tunnels.Select(Snapshot)];
        }
    }

    public IReadOnlyList<TunnelSnapshot> ListAccount(string accountId)
    {
        lock (_gate)
        {
            var listed = _tunnels.Where(t => Same(t.AccountId, accountId)).ToList();
            var snapshots = listed.Select(Snapshot).ToList();
            CountStatusReads(listed.Select(t => t.Id));
            return snapshots;
        }
    }

    /// <summary>A token is valid for an account when some tunnel of that account was added with it.</summary>
    public AuthResult Authorize(string accountId, string? token)
    {
        if (token is null)
        {
            return AuthResult.Forbidden;
        }

        lock (_gate)
        {
            var accountKnown = false;
            foreach (var tunnel in _tunnels)
            {
                if (Same(tunnel.AccountId, accountId))
                {
                    accountKnown = true;
                    if (tunnel.Token == token)
                    {
                        return AuthResult.Ok;
                    }
                }
            }

            return !accountKnown && _tunnels.Exists(t => t.Token == token) ? AuthResult.UnknownAccount : AuthResult.Forbidden;
        }
    }

    public bool IsKnownToken(string? token)
    {
        lock (_gate)
        {
            return token is not null && _tunnels.Exists(t => t.Token == token);
        }
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private Tunnel Get(string tunnelId) =>
        _byId.TryGetValue(tunnelId, out var tunnel) ? tunnel : throw new KeyNotFoundException($"No tunnel {tunnelId} in the fake.");

    /// <summary>Applies a change and moves conns_active_at/conns_inactive_at when derived liveness flips. Caller holds the lock.</summary>
    private void Mutate(Tunnel tunnel, Action<DateTimeOffset> change)
    {
        var now = time.GetUtcNow();
        var wasLive = tunnel.IsLive;
        change(now);
        if (wasLive == tunnel.IsLive)
        {
            return;
        }

        tunnel.ConnsActiveAt = tunnel.IsLive ? now : null;
        tunnel.ConnsInactiveAt = tunnel.IsLive ? null : now;
    }

    private static TunnelSnapshot Snapshot(Tunnel t) => new(
        t.AccountId,
        t.Id,
        t.Name,
        t.StatusOverride ?? (t.IsLive ? "healthy" : t.EverHadConnector ? "down" : "inactive"),
        t.StatusOverride,
        t.CreatedAt,
        t.ConnsActiveAt,
        t.ConnsInactiveAt,
        [.. t.Connectors.Select(c => new ConnectorSnapshot(c.Id, c.RunAt, [.. c.Conns.Select(n => new ConnectionSnapshot(n.Id, n.OpenedAt, n.Pending))]))]);

    private sealed class Tunnel(string id, DateTimeOffset createdAt)
    {
        public string Id { get; } = id;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public required string AccountId { get; set; }
        public required string Name { get; set; }
        public required string Token { get; set; }
        public string? StatusOverride { get; set; }
        public int? StatusOverrideReads { get; set; }
        public bool EverHadConnector { get; set; }
        public DateTimeOffset? ConnsActiveAt { get; set; }
        public DateTimeOffset? ConnsInactiveAt { get; set; }
        public List<Connector> Connectors { get; } = [];
        public bool IsLive => Connectors.Exists(c => c.Conns.Exists(n => !n.Pending));
    }

    private sealed record Connector(string Id, DateTimeOffset RunAt, List<Conn> Conns);

    private sealed class Conn(string id, DateTimeOffset openedAt)
    {
        public string Id { get; } = id;
        public DateTimeOffset OpenedAt { get; } = openedAt;
        public bool Pending { get; set; }
    }
}
