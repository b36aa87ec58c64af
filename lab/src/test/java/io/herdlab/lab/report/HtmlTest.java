package io.herdlab.lab.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlTest {

    @Test
    void rendersTheMarkdownTheReportWrites() {
        String html = Html.render("""
                # herdlab report

                Some **bold** and `code` <b>.

                | a | b |
                |---|--:|
                | x \\| y | 2 |

                - one [link](x.csv)

                ![chart](charts/a.png)
                """);
        assertThat(html).contains("<h1>herdlab report</h1>", "<b>bold</b>", "<code>code</code>", "&lt;b&gt;",
                "<th>a</th>", "<td>x | y</td>", "<li>one <a href=\"x.csv\">link</a></li>",
                "<img src=\"charts/a.png\" alt=\"chart\">");
    }
}
