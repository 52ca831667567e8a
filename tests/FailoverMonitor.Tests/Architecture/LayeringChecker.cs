using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FailoverMonitor.Tests.Architecture;

/// <summary>A C# file of the product: its path relative to the project folder (<c>/</c>-separated) and its text.</summary>
internal sealed record SourceFile(string Path, string Text);

/// <summary>One reference that breaks the layering: where, from which folder to which, and what was written.</summary>
internal sealed record LayeringViolation(string Path, int Line, string From, string To, string What)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}:{Line}: {From} -> {To}: {What}";
}

/// <summary>
/// Reads the product's source (Roslyn's parser, syntax only) and reports every reference from one folder to
/// another that the ranks do not allow. A folder <c>X</c> reaches folder <c>Y</c> by a <c>using</c> of
/// <c>FailoverMonitor.Y</c> (plain, static or alias), by a name qualified with <c>FailoverMonitor.Y.</c> (also
/// <c>global::</c>, also in a doc comment's <c>cref</c>), or by <c>Y.Type</c> alone: every folder's namespace sits
/// under <c>FailoverMonitor</c>, so C# resolves <c>Y</c> without a using. A <c>global using</c> of ours counts as a
/// reference from every folder, and a file must declare its folder's namespace (types elsewhere would be visible
/// to folders without any name pointing at them).
/// </summary>
internal sealed class LayeringChecker(IReadOnlyDictionary<string, int> ranks, string rootNamespace)
{
    private const string AnyFolder = "(every folder)";
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview, DocumentationMode.Parse);

    /// <summary>The violations in <paramref name="files"/>, in file and line order; empty when the layering holds.</summary>
    public IReadOnlyList<LayeringViolation> Check(IEnumerable<SourceFile> files)
    {
        var trees = files.Select(f => (File: f, Root: CSharpSyntaxTree.ParseText(f.Text, ParseOptions, f.Path).GetCompilationUnitRoot())).ToList();
        var typesByFolder = TopLevelNamesByFolder(trees.Select(t => t.Root));
        return trees
            .SelectMany(t => Check(t.File.Path, t.Root, typesByFolder))
            .Distinct()
            .OrderBy(v => v.Path, StringComparer.Ordinal).ThenBy(v => v.Line)
            .ToList();
    }

    /// <summary>
    /// The violations in an MSBuild file: a <c>&lt;Using Include="FailoverMonitor.Y" /&gt;</c> item is a global
    /// using of <c>Y</c> in every folder.
    /// </summary>
    public IReadOnlyList<LayeringViolation> CheckProject(SourceFile project) =>
        XDocument.Parse(project.Text, LoadOptions.SetLineInfo).Descendants()
            .Where(e => e.Name.LocalName == "Using")
            .Select(e => (Element: e, Folder: FolderOf((string?)e.Attribute("Include") ?? "")))
            .Where(u => u.Folder is not null)
            .Select(u => new LayeringViolation(project.Path, ((System.Xml.IXmlLineInfo)u.Element).LineNumber, AnyFolder, u.Folder!, "an MSBuild Using item is a global using"))
            .ToList();

    private IEnumerable<LayeringViolation> Check(string path, CompilationUnitSyntax root, Dictionary<string, HashSet<string>> typesByFolder)
    {
        var from = path.Contains('/', StringComparison.Ordinal) ? path[..path.IndexOf('/', StringComparison.Ordinal)] : null;
        foreach (var problem in PlacementProblems(root, from))
        {
            yield return Violation(path, problem.Node, from ?? "(root)", problem.Namespace, problem.What);
        }

        foreach (var directive in root.DescendantNodes().OfType<UsingDirectiveSyntax>())
        {
            if (directive.NamespaceOrType is { } target && FolderOf(LeftmostTwo(target)) is { } to)
            {
                if (!directive.GlobalKeyword.IsKind(SyntaxKind.None))
                {
                    yield return Violation(path, directive, AnyFolder, to, directive.ToString());
                }
                else if (!Allowed(from, to))
                {
                    yield return Violation(path, directive, from!, to, directive.ToString());
                }
            }
        }

        foreach (var (node, left, right, global) in DottedPairs(root))
        {
            var to = left == rootNamespace ? right
                : !global && typesByFolder.TryGetValue(left, out var names) && names.Contains(right) ? left
                : null;
            if (to is not null && !Allowed(from, to))
            {
                yield return Violation(path, node, from!, to, node.ToString());
            }
        }
    }

    private bool Allowed(string? from, string to) =>
        from is null || from == to || (ranks.TryGetValue(from, out var f) && ranks.TryGetValue(to, out var t) && t < f);

    private LayeringViolation Violation(string path, SyntaxNode node, string from, string to, string what)
    {
        var unranked = new[] { from, to }.FirstOrDefault(f => f != AnyFolder && f != "(root)" && !ranks.ContainsKey(f));
        var why = unranked is null ? what : $"{what} (folder {unranked} has no rank)";
        return new LayeringViolation(path, node.GetLocation().GetLineSpan().StartLinePosition.Line + 1, from, to, why);
    }

    // A folder's types live in its namespace (or one below it); a file outside the folders declares none. A type
    // elsewhere would be visible to other folders with no name pointing at it: the root namespace's and the global
    // namespace's to every folder, another folder's to that folder.
    private IEnumerable<(SyntaxNode Node, string Namespace, string What)> PlacementProblems(CompilationUnitSyntax root, string? folder)
    {
        var expected = $"{rootNamespace}.{folder}";
        foreach (var type in TopLevelTypes(root))
        {
            var ns = ContainingNamespace(type.Node);
            if (folder is null || (ns != expected && !ns.StartsWith(expected + ".", StringComparison.Ordinal)))
            {
                var where = folder is null ? "a file outside the folders" : $"folder {folder}";
                yield return (type.Node, ns.Length == 0 ? "(global namespace)" : ns, $"type {type.Name} in namespace {(ns.Length == 0 ? "(global)" : ns)}, in {where}");
            }
        }
    }

    private static string NamespaceOf(NameSyntax name) => name.ToString().Replace(" ", "", StringComparison.Ordinal);

    // `A.B` at the left end of every dotted name, member access and cref: the only place where a folder's or the
    // root namespace's name can start a reference.
    private static IEnumerable<(SyntaxNode Node, string Left, string Right, bool Global)> DottedPairs(CompilationUnitSyntax root)
    {
        foreach (var node in root.DescendantNodes(descendIntoTrivia: true))
        {
            var (left, right) = node switch
            {
                QualifiedNameSyntax q => (q.Left, q.Right.Identifier.Text),
                MemberAccessExpressionSyntax m when m.IsKind(SyntaxKind.SimpleMemberAccessExpression) => (m.Expression, m.Name.Identifier.Text),
                QualifiedCrefSyntax c => (c.Container, (c.Member as NameMemberCrefSyntax)?.Name is SimpleNameSyntax s ? s.Identifier.Text : null),
                _ => (null, null),
            };
            if (right is null || node.Ancestors().Any(a => a is UsingDirectiveSyntax || (a is BaseNamespaceDeclarationSyntax n && n.Name.Span.Contains(node.Span))))
            {
                continue;
            }

            switch (left)
            {
                case IdentifierNameSyntax id:
                    yield return (node, id.Identifier.Text, right, false);
                    break;
                case AliasQualifiedNameSyntax { Alias.Identifier.Text: "global" } alias:
                    yield return (node, alias.Name.Identifier.Text, right, true);
                    break;
            }
        }
    }

    // The first two parts of a name, without `global::`: enough to tell `FailoverMonitor.Y`.
    private static string LeftmostTwo(TypeSyntax name)
    {
        var text = name.ToString().Replace(" ", "", StringComparison.Ordinal);
        text = text.StartsWith("global::", StringComparison.Ordinal) ? text["global::".Length..] : text;
        return string.Join('.', text.Split('.').Take(2));
    }

    // "FailoverMonitor.Y..." -> "Y"; anything else -> null.
    private string? FolderOf(string name)
    {
        var parts = name.Split('.');
        return parts.Length >= 2 && parts[0] == rootNamespace ? parts[1] : null;
    }

    // Per folder, the names that may follow `Folder.`: its namespace's top-level types and its child namespaces.
    private Dictionary<string, HashSet<string>> TopLevelNamesByFolder(IEnumerable<CompilationUnitSyntax> roots)
    {
        var names = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in roots.SelectMany(TopLevelTypes))
        {
            var parts = $"{ContainingNamespace(type.Node)}.{type.Name}".Split('.');
            if (parts.Length >= 3 && parts[0] == rootNamespace)
            {
                (names.TryGetValue(parts[1], out var set) ? set : names[parts[1]] = new HashSet<string>(StringComparer.Ordinal)).Add(parts[2]);
            }
        }

        return names;
    }

    // Types not nested in another type: classes, structs, records, interfaces, enums and delegates.
    private static IEnumerable<(MemberDeclarationSyntax Node, string Name)> TopLevelTypes(CompilationUnitSyntax root) =>
        root.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
            .OfType<MemberDeclarationSyntax>()
            .Select(m => (Node: m, Name: m switch
            {
                BaseTypeDeclarationSyntax t => t.Identifier.Text,
                DelegateDeclarationSyntax d => d.Identifier.Text,
                _ => null,
            }))
            .Where(t => t.Name is not null)
            .Select(t => (t.Node, t.Name!));

    private static string ContainingNamespace(SyntaxNode node) =>
        string.Join('.', node.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Reverse().Select(n => NamespaceOf(n.Name)));
}
