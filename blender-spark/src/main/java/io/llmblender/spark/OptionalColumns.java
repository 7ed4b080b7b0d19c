package io.llmblender.spark;

import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The columns a record may lack ({@code instruction}, {@code input}, {@code ranks}, ...): a column's position is found
 * once from the schema, -1 when the schema has no such column, and a string read through that position is the empty
 * string when the column is missing or its value null.
 *
 * <p>Stateless and thread-safe.
 */
final class OptionalColumns {

    private OptionalColumns() {}

    /**
     * A column's position.
     *
     * @param schema the rows' schema
     * @param name the column
     * @return its index in {@code schema}, or -1 when there is no such column
     */
    static int indexOf(StructType schema, String name) {
        return Arrays.asList(schema.fieldNames()).contains(name) ? schema.fieldIndex(name) : -1;
    }

    /**
     * A string column's value.
     *
     * @param row the row
     * @param index the column's position from {@link #indexOf}
     * @return the value, or {@code ""} when {@code index} is -1 or the value is null
     */
    static String string(Row row, int index) {
        return index < 0 || row.isNullAt(index) ? "" : row.getString(index);
    }
}
