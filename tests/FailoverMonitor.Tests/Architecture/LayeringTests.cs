namespace FailoverMonitor.Tests.Architecture;

/// <summary>The product's own source keeps the folder layering of <see cref="FolderLayering"/>.</summary>
public sealed class LayeringTests
{
    private static readonly LayeringChecker Checker = new(FolderLayering.Ranks, FolderLayering.RootNamespace);

    [Fact]
    public void Check_ProductSource_NoReferenceUpOrSideways()
    {
        var project = ProjectFolder();
        var files = Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(project, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("bin/", StringComparison.Ordinal) && !path.StartsWith("obj/", StringComparison.Ordinal))
            .Select(path => new SourceFile(path, File.ReadAllText(Path.Combine(project, path))))
            .ToList();
        var msbuild = new[] { Path.Combine(project, FolderLayering.RootNamespace + ".csproj"), Path.Combine(RepositoryRoot(), "Directory.Build.props") }
            .Select(path => new SourceFile(Path.GetFileName(path), File.ReadAllText(path)));

        var violations = Checker.Check(files).Concat(msbuild.SelectMany(Checker.CheckProject)).ToList();

        Assert.True(files.Count > 50, $"only {files.Count} source files found under {project}");
        Assert.True(violations.Count == 0, "References against the folder layering (see FolderLayering):\n" + string.Join('\n', violations));
    }

    [Fact]
    public void Check_ProductAndTestSource_FileShapeOfTheConfigurationUsedInConfigurationOnly()
    {
        // The types System.Text.Json binds tunnels.json to are mutable and hold tokens as text: everything else reads
        // the settings records and the token map the loader makes of them; tests elsewhere write files as JSON keys.
        var shape = new System.Text.RegularExpressions.Regex(@"\b(TunnelsFile|TunnelEntry|AlertEntry)\b");
        var tests = Path.Combine(RepositoryRoot(), "tests", "FailoverMonitor.Tests");
        var users = new[] { ProjectFolder(), tests }
            .SelectMany(root => Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Select(path => (Root: root, Relative: Path.GetRelativePath(root, path).Replace('\\', '/'))))
            .Where(f => !f.Relative.StartsWith("bin/", StringComparison.Ordinal) && !f.Relative.StartsWith("obj/", StringComparison.Ordinal))
            .Where(f => !f.Relative.StartsWith("Configuration/", StringComparison.Ordinal) && f.Relative != "Architecture/LayeringTests.cs")
            .Where(f => shape.IsMatch(File.ReadAllText(Path.Combine(f.Root, f.Relative))))
            .Select(f => f.Relative);

        Assert.Empty(users);
    }

    [Fact]
    public void Ranks_SourceFolders_EveryFolderRankedAndNoOther()
    {
        var project = ProjectFolder();
        // A folder is one with source in it: an empty one left behind by a move is no folder of the project.
        var folders = Directory.EnumerateDirectories(project)
            .Where(d => Path.GetFileName(d) is not ("bin" or "obj") && Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories).Any())
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal);

        Assert.Equal(FolderLayering.Ranks.Keys.Order(StringComparer.Ordinal), folders);
    }

    private static string ProjectFolder() => Path.Combine(RepositoryRoot(), "src", FolderLayering.RootNamespace);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FailoverMonitor.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no FailoverMonitor.sln above {AppContext.BaseDirectory}");
    }
}
