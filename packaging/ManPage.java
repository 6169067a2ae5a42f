import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes proctap(1) as AsciiDoc from the picocli model --help prints: picocli's ManPageGenerator
 * renders the standard sections (name, synopsis, description, options, exit codes, examples);
 * it skips custom sections, so each proctap one (cli/HelpSections: its keys start "proctap.")
 * goes in before the exit codes, its heading as a section title and its text, as --help prints
 * it at 70 columns, as a literal block. scripts/package turns the result into troff with
 * asciidoctor.
 *
 * <p>Run as: java -cp proctap.jar:picocli-codegen.jar packaging/ManPage.java OUT.adoc
 */
public class ManPage {
    private static final String PREFIX = "proctap.";
    private static final String HEADING = ".heading";
    private static final String BEFORE = "// tag::picocli-generated-man-section-exit-status[]";

    /**
     * The synopsis as its lines, one form each: picocli renders it as a paragraph wrapped for a
     * terminal, which a man page would reflow into one line.
     */
    private static String synopsis(String adoc, String[] lines) {
        String start = "== Synopsis\n\n";
        String end = "// end::picocli-generated-man-section-synopsis[]";
        int from = adoc.indexOf(start);
        int to = adoc.indexOf(end);
        if (from < 0 || to < from || lines.length == 0) {
            throw new IllegalStateException("no synopsis to rewrite");
        }
        StringBuilder verse = new StringBuilder("[verse]\n____\n");
        for (String line : lines) {
            verse.append(line.strip().replace(" -- ", " \\-- ")).append('\n');
        }
        verse.append("____\n\n");
        return adoc.substring(0, from + start.length()) + verse + adoc.substring(to);
    }

    /** AsciiDoc reads " -- " as an em dash; in that section it is proctap's "--" before COMMAND. */
    private static String keepDashes(String adoc, String section) {
        String start = "// tag::picocli-generated-man-section-" + section + "[]";
        String end = "// end::picocli-generated-man-section-" + section + "[]";
        int from = adoc.indexOf(start);
        int to = adoc.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalStateException("no " + section + " section");
        }
        return adoc.substring(0, from) + adoc.substring(from, to).replace(" -- ", " \\-- ") + adoc.substring(to);
    }

    public static void main(String[] args) throws Exception {
        CommandLine cl = new CommandLine(Class.forName("org.proctap.cli.ProctapCommand"));
        CommandSpec spec = cl.getCommandSpec();
        spec.usageMessage().autoWidth(false).width(70); // man indents literal blocks by 7 and 4

        StringWriter page = new StringWriter();
        try (PrintWriter pw = new PrintWriter(page)) {
            ManPageGenerator.writeSingleManPage(pw, spec);
        }
        String adoc = page.toString();
        if (!adoc.contains(BEFORE)) {
            throw new IllegalStateException("ManPageGenerator's output has no " + BEFORE);
        }

        StringBuilder ours = new StringBuilder();
        UsageMessageSpec usage = spec.usageMessage();
        CommandLine.Help help = cl.getHelp();
        int sections = 0;
        for (String key : usage.sectionKeys()) {
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String text = usage.sectionMap().get(key).render(help);
            if (key.endsWith(HEADING)) {
                ours.append("== ").append(text.strip().replaceAll(":$", "")).append("\n\n");
                sections++;
            } else {
                ours.append("....\n").append(text.stripTrailing()).append("\n....\n\n");
            }
        }
        if (sections == 0) {
            throw new IllegalStateException("the model has no proctap sections: is this proctap's jar?");
        }
        adoc = adoc.replace(BEFORE, ours + BEFORE);
        adoc = adoc.replaceAll("(?m)^==\\s+(.*?):?$", "== $1"); // help headings end in ':'
        adoc = synopsis(adoc, spec.usageMessage().customSynopsis());
        adoc = keepDashes(adoc, "exit-status");
        Files.writeString(Path.of(args[0]), adoc, StandardCharsets.UTF_8);
    }
}
