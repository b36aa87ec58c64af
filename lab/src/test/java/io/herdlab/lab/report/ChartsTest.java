package io.herdlab.lab.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.herdlab.lab.analysis.Timeseries;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** A log axis only where the values span a decade: over a narrower range it would show one tick or none. */
class ChartsTest {

    @Test
    void aNarrowRangeGetsALinearAxisAndAWideOneALogAxis() {
        assertThat(Charts.logAxisFits(800, 2400)).isFalse();
        assertThat(Charts.logAxisFits(2, 2400)).isTrue();
        assertThat(Charts.logAxisFits(0, 2400)).isFalse();

        ValueAxis narrow = Charts.rangeAxis("ms (log scale)", new double[] {812, 1450, 2390}, 1);
        assertThat(narrow).isInstanceOf(NumberAxis.class);
        assertThat(narrow.getLabel()).isEqualTo("ms");
        ValueAxis wide = Charts.rangeAxis("ms (log scale)", new double[] {1.5, 40, 2390}, 1);
        assertThat(wide).isInstanceOf(LogAxis.class);
        assertThat(wide.getLabel()).isEqualTo("ms (log scale)");
        assertThat(Charts.rangeAxis("ms (log scale)", new double[0], 1)).isInstanceOf(NumberAxis.class);
    }

    @Test
    void aScalingP99ChartOverANarrowRangeIsDrawn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p99.png");
        Charts.lines(file, "P99", "replicas", "ms (log scale)", List.of(new Timeseries.Series("lua",
                new double[] {1, 2, 3, 5}, new double[] {900, 1100, 1500, 2100})), Map.of(), true);
        assertThat(file).isRegularFile().isNotEmptyFile();
    }
}
