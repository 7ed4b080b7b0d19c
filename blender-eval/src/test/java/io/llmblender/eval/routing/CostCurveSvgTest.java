package io.llmblender.eval.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class CostCurveSvgTest {

    @Test
    void render_isWellFormedSvgWithOnePolylinePerCurve() throws Exception {
        CostCurve a = new CostCurve(
                "router <a> & b",
                CostAxis.CALLS,
                List.of(new CurvePoint(1, 1, 0.5, ""), new CurvePoint(2, 2, 0.7, "")));
        CostCurve b = new CostCurve("bound", CostAxis.CALLS, List.of(new CurvePoint(1, 1, 0.6, "")));
        String svg = CostCurveSvg.render(
                "t",
                "calls",
                "score",
                List.of(a, b),
                List.of(new CostCurveSvg.Mark("oracle", Double.NaN, 0.9), new CostCurveSvg.Mark("x", 1.5, 0.4)));

        Document doc = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(svg).contains("router &lt;a&gt; &amp; b");
    }
}
