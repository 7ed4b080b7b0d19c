package io.llmblender.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Values in the external types Spark's {@code Row} holds: an array column is a Scala {@code Seq}, a map column a Scala
 * {@code Map}. Java arrays would pass Spark's encoder but not a later {@code Row.getList}, and Spark's optimizer hands
 * a function's output rows straight to the next typed function (serialization eliminated), so the types must be
 * right.
 *
 * <p>Stateless and thread-safe.
 */
final class RowValues {

    private RowValues() {}

    static Seq<Object> seq(double[] values) {
        List<Object> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return CollectionConverters.asScala(out).toSeq();
    }

    static Seq<Object> seq(int[] values) {
        List<Object> out = new ArrayList<>(values.length);
        for (int v : values) {
            out.add(v);
        }
        return CollectionConverters.asScala(out).toSeq();
    }

    static Seq<Object> seq(double[][] rows) {
        List<Object> out = new ArrayList<>(rows.length);
        for (double[] row : rows) {
            out.add(seq(row));
        }
        return CollectionConverters.asScala(out).toSeq();
    }

    static Seq<Object> seq(List<?> values) {
        return CollectionConverters.asScala(new ArrayList<Object>(values)).toSeq();
    }

    /**
     * A row with another row's values, in order, followed by more: an output row that keeps every input column and
     * adds columns after them.
     *
     * @param row the input row; its values are copied as they are, already in the external types
     * @param added the added columns' values, in the external types above
     * @return a new row of {@code row.length() + added.length} values
     */
    static Row appended(Row row, Object... added) {
        int width = row.length();
        Object[] values = new Object[width + added.length];
        for (int c = 0; c < width; c++) {
            values[c] = row.get(c);
        }
        System.arraycopy(added, 0, values, width, added.length);
        return RowFactory.create(values);
    }

    /** A Scala map with the Java map's iteration order. */
    static scala.collection.Map<String, Double> map(Map<String, Double> values) {
        return CollectionConverters.asScala(values);
    }
}
