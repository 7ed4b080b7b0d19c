package io.llmblender.core.check;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Argument checks whose messages name the field and the value, in the form
 * {@code "topK must be positive, found 0"}. Not part of the API.
 */
public final class Require {

    private Require() {}

    /**
     * Checks that a value is not null.
     *
     * @param value the value
     * @param field its name, used in the message
     * @param <T> its type
     * @return the value
     * @throws NullPointerException naming the field when {@code value} is null
     */
    public static <T> T nonNull(T value, String field) {
        return Objects.requireNonNull(value, () -> field + " must not be null");
    }

    /**
     * Checks that an int is positive.
     *
     * @param value the value
     * @param field its name, used in the message
     * @return the value
     * @throws IllegalArgumentException when {@code value <= 0}
     */
    public static int positive(int value, String field) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, found " + value);
        }
        return value;
    }

    /**
     * Checks that an int is zero or more.
     *
     * @param value the value
     * @param field its name, used in the message
     * @return the value
     * @throws IllegalArgumentException when {@code value < 0}
     */
    public static int nonNegative(int value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative, found " + value);
        }
        return value;
    }

    /**
     * Checks that a duration is not null and strictly positive.
     *
     * @param value the value
     * @param field its name, used in the message
     * @return the value
     * @throws NullPointerException when {@code value} is null
     * @throws IllegalArgumentException when {@code value} is zero or negative
     */
    public static Duration positive(Duration value, String field) {
        nonNull(value, field);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + " must be positive, found " + value);
        }
        return value;
    }

    /**
     * Checks that a string is not null and not blank.
     *
     * @param value the value
     * @param field its name, used in the message
     * @return the value
     * @throws NullPointerException when {@code value} is null
     * @throws IllegalArgumentException when {@code value} is empty or only whitespace
     */
    public static String nonBlank(String value, String field) {
        nonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, found " + quote(value));
        }
        return value;
    }

    /**
     * Checks that a double is finite.
     *
     * @param value the value
     * @param field its name, used in the message
     * @return the value
     * @throws IllegalArgumentException when {@code value} is NaN or infinite
     */
    public static double finite(double value, String field) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " must be finite, found " + value);
        }
        return value;
    }

    /**
     * Checks that an index lies in {@code [0, size)}.
     *
     * @param index the index
     * @param size the number of elements
     * @param field its name, used in the message
     * @return the index
     * @throws IndexOutOfBoundsException when the index is out of range
     */
    public static int index(int index, int size, String field) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(field + " must be in [0, " + size + "), found " + index);
        }
        return index;
    }

    /**
     * Quotes a user string for an error message, shortening it to at most 40 characters so that a
     * megabyte of text never ends up in a message.
     *
     * @param value the string, may be null
     * @return the quoted, possibly shortened string
     */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() <= 40 ? value : value.substring(0, 37) + "...";
        return '"' + shown + '"';
    }

    /**
     * Refuses a builder setter called a second time (Caffeine style): each setting is given once, so a
     * later call can never silently undo an earlier one.
     *
     * @param current the value set so far, {@code null} when the setting is still unset
     * @param field the setting's name
     * @param next the value the second call tried to set
     * @throws IllegalStateException naming the setting and both values, when {@code current} is not null
     */
    public static void unset(Object current, String field, Object next) {
        if (current != null) {
            throw new IllegalStateException(field + " was already set to " + current + ", cannot set it to " + next);
        }
    }

    /**
     * As {@link #unset(Object, String, Object)}, showing both values in the message as {@code shown}
     * writes them, e.g. {@code Require::quote} for strings or a name for a component.
     *
     * @param current the value set so far, {@code null} when the setting is still unset
     * @param field the setting's name
     * @param next the value the second call tried to set, not null
     * @param shown how to write a value in the message
     * @param <T> the setting's type
     * @throws IllegalStateException naming the setting and both values, when {@code current} is not null
     */
    public static <T> void unset(T current, String field, T next, Function<? super T, ?> shown) {
        if (current != null) {
            throw new IllegalStateException(
                    field + " was already set to " + shown.apply(current) + ", cannot set it to " + shown.apply(next));
        }
    }

    /**
     * Refuses a second call to a builder setter whose value may be a secret (an API key, a token):
     * as {@link #unset(Object, String, Object)}, but the message names only the setting and shows
     * neither value, so a key never ends up in a log or a stack trace.
     *
     * @param current the value set so far, {@code null} when the setting is still unset
     * @param field the setting's name
     * @throws IllegalStateException {@code "<field> was already set, cannot set it again"}, when
     *     {@code current} is not null
     */
    public static void unsetSecret(Object current, String field) {
        if (current != null) {
            throw new IllegalStateException(field + " was already set, cannot set it again");
        }
    }
}
