package dev.rewind.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks that the links of a repository's Markdown files resolve inside the repository.
 *
 * <p>What is checked, outside fenced code blocks:
 * <ul>
 *   <li>every link and image destination ({@code [text](dest)}, {@code [label]: dest}, {@code <scheme:...>}):
 *       a relative path must name a file or directory that exists inside the repository, and a
 *       {@code #anchor} into a Markdown file must name one of its headings (GitHub's slugs);</li>
 *   <li>every path written as inline code ({@code `framework/src/...`}) that starts with a top-level entry
 *       of the repository (read from the root) or with {@code ../} (read from the file's directory): it
 *       must exist inside the repository. Build output ({@code target/}) and patterns ({@code *}, braces)
 *       are not checked. A file that declares a base for its code paths in a comment line,
 *       {@code <!-- code paths: framework/src/main/java/dev/rewind/ -->}, has its other inline paths read
 *       from there: {@code `internal/Delivery.java`}, {@code `internal/command/CommandIds`} (a class) and
 *       {@code `storage/file/LogLoader.decideTail`} (a member of one) must name a file, a {@code .java}
 *       file or a directory under the base;</li>
 *   <li>external links: none is allowed, as a link or as a bare {@code http(s)://} address in the text.
 *       The documentation must hold with the repository alone; an outside page can change or vanish
 *       without any build noticing, and checking it would need the network, which the build does not.
 *       Outside work is cited by name and version (RFC 9562, Axon Framework 4.13).</li>
 * </ul>
 */
final class MarkdownLinks {
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern INLINE_DEST = Pattern.compile("\\]\\(\\s*(<[^>]*>|[^)\\s]*)");
    private static final Pattern REFERENCE_DEF = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*(<[^>]*>|\\S+)");
    private static final Pattern AUTOLINK = Pattern.compile("<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^>\\s]*)>");
    private static final Pattern BARE_URL = Pattern.compile("(?i)\\b(?:https?://|www\\.)[^\\s)>\\]]+");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern CODE_BASE = Pattern.compile("^<!--\\s*code paths:\\s*(\\S+)\\s*-->\\s*$");

    private final Path root;
    private final Set<String> topLevel = new LinkedHashSet<>();
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    /**
     * @param root the repository's root directory
     */
    MarkdownLinks(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try (Stream<Path> entries = Files.list(this.root)) {
            entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".git")).forEach(topLevel::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return every Markdown file of the repository, build output and hidden directories left out
     */
    List<Path> markdownFiles() {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p))
                    .filter(p -> !underSkippedDirectory(root.relativize(p)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean underSkippedDirectory(Path relative) {
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            String name = relative.getName(i).toString();
            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param file a Markdown file inside the repository
     * @return one line per problem: {@code path:line: link: what is wrong}, the path relative to the root
     */
    List<String> check(Path file) {
        Path md = file.toAbsolutePath().normalize();
        List<String> problems = new ArrayList<>();
        List<String> lines = read(md);
        Path base = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher b = CODE_BASE.matcher(lines.get(i));
            if (b.find()) {
                base = root.resolve(b.group(1)).normalize();
                if (!Files.isDirectory(base) || !base.startsWith(root)) {
                    problems.add(root.relativize(md) + ":" + (i + 1) + ": code paths: " + b.group(1)
                            + ": no such directory in the repository");
                    base = null;
                }
            }
        }
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher f = FENCE.matcher(line);
            if (fence != null) {
                if (f.find() && f.group(1).charAt(0) == fence.charAt(0) && f.group(1).length() >= fence.length()) {
                    fence = null;
                }
                continue;
            }
            if (f.find()) {
                fence = f.group(1);
                continue;
            }
            String where = root.relativize(md) + ":" + (i + 1) + ": ";
            StringBuilder prose = new StringBuilder();
            Matcher span = CODE_SPAN.matcher(line);
            int last = 0;
            while (span.find()) {
                prose.append(line, last, span.start()).append(' ');
                last = span.end();
                checkCodePath(md, base, span.group(2).strip(), where, problems);
            }
            prose.append(line.substring(last));
            checkProse(md, prose.toString(), where, problems);
        }
        return problems;
    }

    private void checkProse(Path md, String text, String where, List<String> problems) {
        Set<String> destinations = new LinkedHashSet<>();
        Matcher m = INLINE_DEST.matcher(text);
        while (m.find()) {
            destinations.add(unbracket(m.group(1)));
        }
        m = REFERENCE_DEF.matcher(text);
        if (m.find()) {
            destinations.add(unbracket(m.group(1)));
        }
        m = AUTOLINK.matcher(text);
        while (m.find()) {
            destinations.add(m.group(1));
        }
        for (String dest : destinations) {
            String problem = checkDestination(md, dest);
            if (problem != null) {
                problems.add(where + dest + ": " + problem);
            }
        }
        Matcher bare = BARE_URL.matcher(text);
        while (bare.find()) {
            String url = bare.group();
            if (destinations.stream().noneMatch(d -> d.contains(url))) {
                problems.add(where + url + ": " + external());
            }
        }
    }

    private static String unbracket(String dest) {
        return dest.startsWith("<") && dest.endsWith(">") ? dest.substring(1, dest.length() - 1) : dest;
    }

    private static String external() {
        return "a link outside the repository; the documentation links only to files of the repository"
                + " (cite outside work by name and version)";
    }

    /** @return what is wrong with a link destination, or null */
    private String checkDestination(Path md, String dest) {
        if (dest.isEmpty()) {
            return "an empty link";
        }
        if (SCHEME.matcher(dest).find() || dest.startsWith("//")) {
            return external();
        }
        int hash = dest.indexOf('#');
        String pathPart = hash < 0 ? dest : dest.substring(0, hash);
        String anchor = hash < 0 ? null : dest.substring(hash + 1);
        Path target;
        if (pathPart.isEmpty()) {
            target = md;
        } else {
            if (pathPart.startsWith("/")) {
                return "an absolute path; write it relative to the file (" + root.relativize(md) + ")";
            }
            target = md.getParent().resolve(URLDecoder.decode(pathPart, StandardCharsets.UTF_8)).normalize();
            if (!target.startsWith(root)) {
                return "leaves the repository";
            }
            if (!Files.exists(target)) {
                return "no such file or directory: " + root.relativize(target);
            }
        }
        if (anchor != null) {
            if (!target.getFileName().toString().endsWith(".md") || Files.isDirectory(target)) {
                return "an anchor into a file that is not Markdown";
            }
            if (!anchors(target).contains(anchor)) {
                return "no heading with the anchor #" + anchor + " in " + root.relativize(target)
                        + " (anchors are the headings in lower case, spaces as '-', punctuation dropped)";
            }
        }
        return null;
    }

    private void checkCodePath(Path md, Path base, String code, String where, List<String> problems) {
        if (code.isEmpty() || code.chars().anyMatch(c -> Character.isWhitespace(c) || "*{}<>$|\"'`:,;=?!()".indexOf(c) >= 0)
                || !code.contains("/") || code.contains("...")) {
            return;
        }
        if (code.startsWith("../") || topLevel.contains(code.substring(0, code.indexOf('/')))) {
            Path target = (code.startsWith("../") ? md.getParent() : root).resolve(code).normalize();
            if (!target.startsWith(root)) {
                problems.add(where + "`" + code + "`: a path that leaves the repository");
            } else if (!builtOutput(target) && !Files.exists(target)) {
                problems.add(where + "`" + code + "`: no such file or directory in the repository");
            }
        } else if (base != null && !code.startsWith("/") && !code.startsWith("./")) {
            Path target = base.resolve(code).normalize();
            String name = target.getFileName().toString();
            int dot = name.indexOf('.');
            Path member = dot < 0 ? null : target.resolveSibling(name.substring(0, dot) + ".java");
            if (!target.startsWith(root)) {
                problems.add(where + "`" + code + "`: a path that leaves the repository");
            } else if (!Files.exists(target) && !Files.exists(target.resolveSibling(name + ".java"))
                    && (member == null || !Files.exists(member))) {
                problems.add(where + "`" + code + "`: no such file, class or directory under "
                        + root.relativize(base).toString().replace('\\', '/') + "/");
            }
        }
    }

    private boolean builtOutput(Path target) {
        for (Path part : root.relativize(target)) {
            if (part.toString().equals("target")) {
                return true; // exists only after a build
            }
        }
        return false;
    }

    /** The anchors GitHub gives the headings of a Markdown file. */
    private Set<String> anchors(Path md) {
        return anchors.computeIfAbsent(md, f -> {
            Set<String> out = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            String fence = null;
            for (String line : read(f)) {
                Matcher fm = FENCE.matcher(line);
                if (fence != null) {
                    if (fm.find() && fm.group(1).charAt(0) == fence.charAt(0)) {
                        fence = null;
                    }
                    continue;
                }
                if (fm.find()) {
                    fence = fm.group(1);
                    continue;
                }
                Matcher h = HEADING.matcher(line);
                if (h.find()) {
                    String slug = slug(h.group(1));
                    int n = seen.merge(slug, 1, Integer::sum) - 1;
                    out.add(n == 0 ? slug : slug + "-" + n);
                }
            }
            return out;
        });
    }

    /**
     * @param heading a heading's Markdown text
     * @return the anchor GitHub gives it: the text without formatting, in lower case, punctuation other
     *     than '-' and '_' dropped, each space a '-'
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "").replace("*", "");
        StringBuilder out = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (c == ' ') {
                out.append('-');
            } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
