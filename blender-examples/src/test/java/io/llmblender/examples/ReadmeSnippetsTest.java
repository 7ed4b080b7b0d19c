package io.llmblender.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs every {@code ```java} block of README.md, so the documentation cannot rot.
 * A block's {@code import} lines become the imports of a generated class, the rest the body of
 * a static method that the test calls. Each {@code // prints: X} comment must appear in what the
 * block printed. A block whose first line is {@code // compile-only} (one that needs real
 * endpoints or keys) is compiled but not run.
 */
class ReadmeSnippetsTest {

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PRINTS = Pattern.compile("//\\s*prints:\\s*(.*)");

    @TempDir
    Path work;

    @TestFactory
    Stream<DynamicTest> readmeJavaBlocks_compileRunAndPrintWhatTheySay() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> blocks = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(readme);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).as("java blocks in README.md").isNotEmpty();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            int index = i;
            tests.add(DynamicTest.dynamicTest("README java block " + (i + 1), () -> run(index, blocks.get(index))));
        }
        return tests.stream();
    }

    private void run(int index, String block) throws Exception {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (String line : block.split("\n")) {
            if (line.startsWith("import ")) {
                imports.append(line).append('\n');
            } else {
                body.append("        ").append(line).append('\n');
            }
            Matcher p = PRINTS.matcher(line);
            if (p.find()) {
                expected.add(p.group(1).trim());
            }
        }
        String className = "ReadmeBlock" + (index + 1);
        String source = imports + "\npublic class " + className
                + " {\n    public static void run() throws Exception {\n" + body + "    }\n}\n";
        Path dir = Files.createDirectories(work.resolve("block" + (index + 1)));
        Path file = dir.resolve(className + ".java");
        Files.writeString(file, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(
                null,
                null,
                diagnostics,
                "-classpath",
                System.getProperty("java.class.path"),
                "-d",
                dir.toString(),
                file.toString());
        assertThat(rc)
                .as("javac of README block %d:%n%s%n%s", index + 1, diagnostics, source)
                .isZero();
        if (block.startsWith("// compile-only")) {
            return;
        }

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Method run = loader.loadClass(className).getMethod("run");
            run.invoke(null);
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(output).as("README block %d output", index + 1).isNotBlank();
        for (String line : expected) {
            assertThat(output).as("README block %d output", index + 1).contains(line);
        }
    }
}
