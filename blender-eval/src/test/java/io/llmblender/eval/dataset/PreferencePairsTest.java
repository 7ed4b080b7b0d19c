package io.llmblender.eval.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.FileContentException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferencePairsTest {

    private static final String GOOD = "{\"id\":\"x-1\",\"source\":\"hh\",\"prompt\":\"p\",\"response_a\":\"a\","
            + "\"response_b\":\"b\",\"label\":\"b\",\"p_a\":0.0}";

    @Test
    void read_plainAndGzip_giveTheSamePairs(@TempDir Path dir) throws IOException {
        Path plain = Files.writeString(
                dir.resolve("p.jsonl"),
                GOOD + "\n\n{\"prompt\":\"q\",\"response_a\":\"c\","
                        + "\"response_b\":\"d\",\"label\":\"tie\",\"subset\":\"s\"}\n");
        Path gz = dir.resolve("p.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(plain));
        }
        List<PreferencePair> pairs = PreferencePairs.read(plain);
        assertThat(pairs)
                .containsExactly(
                        new PreferencePair("x-1", "hh", "p", "a", "b", PreferencePair.Label.B),
                        new PreferencePair("line-3", "s", "q", "c", "d", PreferencePair.Label.TIE));
        assertThat(PreferencePairs.read(gz)).isEqualTo(pairs);
    }

    @Test
    void read_badLine_namesFileLineAndField(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(
                dir.resolve("bad.jsonl"),
                GOOD + "\n" + GOOD.replace("\"label\":\"b\"", "\"label\":\"c\"") + "\n",
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PreferencePairs.read(file))
                .isInstanceOf(FileContentException.class)
                .hasMessageContaining(file + " line 2")
                .hasMessageContaining("'label'")
                .hasMessageContaining("\"c\"")
                .satisfies(e -> assertThat(((FileContentException) e).line()).isEqualTo(2));
        Path noPrompt = Files.writeString(
                dir.resolve("np.jsonl"), "{\"response_a\":\"a\",\"response_b\":\"b\",\"label\":\"a\",\"prompt\":3}\n");
        assertThatThrownBy(() -> PreferencePairs.read(noPrompt))
                .isInstanceOf(FileContentException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("field 'prompt' must be text, found number");
        Path notJson = Files.writeString(dir.resolve("nj.jsonl"), "{oops\n");
        assertThatThrownBy(() -> PreferencePairs.read(notJson))
                .isInstanceOf(FileContentException.class)
                .hasMessageContaining("line 1: not JSON");
        assertThatThrownBy(() -> PreferencePairs.read(dir.resolve("missing.jsonl")))
                .isInstanceOf(FileContentException.class)
                .hasMessageContaining("no such file");
    }
}
