package io.llmblender.eval.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final AtomicLong nanos = new AtomicLong();
    private final StringWriter text = new StringWriter();

    @Test
    void log_reportsEveryTenSecondsAndAtTheEnd() {
        Progress p = new Progress("rank", 100, new PrintWriter(text, true), false, nanos::get);
        nanos.set(5_000_000_000L);
        p.step(10);
        nanos.set(10_000_000_000L);
        p.step(10);
        nanos.set(40_000_000_000L);
        p.step(80);
        p.close();

        assertThat(text.toString().lines())
                .containsExactly(
                        "rank: 20/100 (20%), 2.0 records/s, ETA 40s",
                        "rank: 100/100 (100%), 2.5 records/s, ETA done",
                        "rank: 100/100 (100%), 2.5 records/s, ETA done");
    }

    @Test
    void terminal_redrawsABarInPlace() {
        Progress p = new Progress("fuse", 8, new PrintWriter(text, true), true, nanos::get);
        nanos.set(2_000_000_000L);
        p.step(2);

        String bar = "\rfuse [=====>              ] 2/8  25% 1.0 records/s ETA 6s";
        assertThat(text.toString()).isEqualTo(bar);
        p.close();
        assertThat(text.toString()).isEqualTo(bar + bar + System.lineSeparator());
    }

    @Test
    void duration_readsLikeAClock() {
        assertThat(Progress.duration(59.4)).isEqualTo("59s");
        assertThat(Progress.duration(61)).isEqualTo("1m01s");
        assertThat(Progress.duration(3725)).isEqualTo("1h02m");
    }
}
