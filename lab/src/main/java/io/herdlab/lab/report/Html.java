package io.herdlab.lab.report;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * report.html from report.md: the small Markdown subset the report itself writes (headings,
 * paragraphs, lists, tables, images, code blocks, inline code, bold and links), so both files
 * always say the same.
 */
final class Html {

    private static final Pattern IMAGE = Pattern.compile("^!\\[([^]]*)]\\(([^)]+)\\)$");
    private static final Pattern LINK = Pattern.compile("\\[([^]]+)]\\(([^)]+)\\)");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern BOLD = Pattern.compile("\\*\\*([^*]+)\\*\\*");

    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
            padding:0 1em;color:#222;line-height:1.45}
            table{border-collapse:collapse;font-size:13px;margin:1em 0;display:block;overflow-x:auto}
            th,td{border:1px solid #ccc;padding:4px 6px;text-align:right;white-space:nowrap}
            th:first-child,td:first-child{text-align:left}
            th{background:#f3f3f3}
            img{max-width:100%;border:1px solid #eee;margin:.5em 0}
            code{background:#f5f5f5;padding:1px 4px;border-radius:3px}
            pre{background:#f5f5f5;padding:.8em;overflow-x:auto}
            """;

    private Html() {
    }

    static String render(String markdown) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>herdlab report</title><style>" + STYLE + "</style></head><body>\n");
        List<String> lines = markdown.lines().toList();
        StringBuilder paragraph = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean special = line.startsWith("#") || line.startsWith("|") || line.startsWith("```")
                    || line.startsWith("- ") || line.equals("---") || IMAGE.matcher(line).matches() || line.isBlank();
            if (special && !paragraph.isEmpty()) {
                html.append("<p>").append(inline(paragraph.toString().trim())).append("</p>\n");
                paragraph.setLength(0);
            }
            if (line.startsWith("```")) {
                html.append("<pre>");
                while (++i < lines.size() && !lines.get(i).startsWith("```")) {
                    html.append(escape(lines.get(i))).append('\n');
                }
                html.append("</pre>\n");
            }
            else if (line.startsWith("#")) {
                int level = (int) line.chars().takeWhile(c -> c == '#').count();
                html.append("<h").append(level).append('>').append(inline(line.substring(level).trim()))
                        .append("</h").append(level).append(">\n");
            }
            else if (line.startsWith("|")) {
                html.append("<table>\n");
                boolean header = true;
                for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
                    String row = lines.get(i);
                    if (row.matches("^\\|[-:| ]+\\|$")) {
                        continue;
                    }
                    String[] cells = row.substring(1, row.length() - (row.endsWith("|") ? 1 : 0)).split("(?<!\\\\)\\|");
                    html.append("<tr>");
                    for (String cell : cells) {
                        String tag = header ? "th" : "td";
                        html.append('<').append(tag).append('>').append(inline(cell.trim().replace("\\|", "|")))
                                .append("</").append(tag).append('>');
                    }
                    html.append("</tr>\n");
                    header = false;
                }
                i--;
                html.append("</table>\n");
            }
            else if (line.startsWith("- ")) {
                html.append("<ul>\n");
                for (; i < lines.size() && lines.get(i).startsWith("- "); i++) {
                    html.append("<li>").append(inline(lines.get(i).substring(2))).append("</li>\n");
                }
                i--;
                html.append("</ul>\n");
            }
            else if (line.equals("---")) {
                html.append("<hr>\n");
            }
            else {
                Matcher image = IMAGE.matcher(line);
                if (image.matches()) {
                    html.append("<p><img src=\"").append(escape(image.group(2))).append("\" alt=\"")
                            .append(escape(image.group(1))).append("\"></p>\n");
                }
                else if (!line.isBlank()) {
                    paragraph.append(line).append(' ');
                }
            }
        }
        if (!paragraph.isEmpty()) {
            html.append("<p>").append(inline(paragraph.toString().trim())).append("</p>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    private static String inline(String text) {
        String out = escape(text);
        out = CODE.matcher(out).replaceAll("<code>$1</code>");
        out = BOLD.matcher(out).replaceAll("<b>$1</b>");
        out = LINK.matcher(out).replaceAll("<a href=\"$2\">$1</a>");
        return out;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
