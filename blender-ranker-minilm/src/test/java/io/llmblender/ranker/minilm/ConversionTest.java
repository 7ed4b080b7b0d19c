package io.llmblender.ranker.minilm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmblender.router.encode.MiniLmEncoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped ranker starts from all-MiniLM-L6-v2 read out of its ONNX file into a PyTorch BERT by
 * models/minilm_common.py. models/minilm-ranker/conversion.json holds that converted (untrained) encoder's
 * mean-pooled, normalised embeddings of a few texts, computed in Python; the ONNX original run through OnnxRuntime
 * here (MiniLmEncoder) must agree within 1e-4, or the conversion mapped a weight wrongly.
 */
class ConversionTest {

    @Test
    void convertedEncoder_agreesWithOnnxOriginalWithin1e4() throws IOException {
        JsonNode items = ShippedModel.json("conversion.json").get("items");
        List<String> texts = new ArrayList<>();
        items.forEach(item -> texts.add(item.get("text").asText()));
        assertThat(texts).hasSizeGreaterThanOrEqualTo(5);
        try (MiniLmEncoder encoder = MiniLmEncoder.load()) {
            float[][] got = encoder.encode(texts);
            for (int i = 0; i < texts.size(); i++) {
                JsonNode expected = items.get(i).get("embedding");
                assertThat(got[i]).as(texts.get(i)).hasSize(expected.size());
                double worst = 0;
                for (int k = 0; k < expected.size(); k++) {
                    worst = Math.max(worst, Math.abs(got[i][k] - expected.get(k).asDouble()));
                }
                assertThat(worst).as("largest difference for %s", texts.get(i)).isLessThan(1e-4);
            }
        }
    }
}
