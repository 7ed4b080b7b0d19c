package io.llmblender.testkit;

import java.util.ArrayList;
import java.util.List;

/** Shell-like word splitting for tests that run the commands a README shows. */
public final class ShellWords {

    private ShellWords() {}

    /** Splits a command line on spaces, keeping double-quoted words whole. */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    words.add(word.toString());
                }
                word.setLength(0);
                any = false;
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(word.toString());
        }
        return words;
    }
}
