package io.llmblender.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The project version, written into {@code version.properties} by the build, for the tool's and the benchmarks'
 * {@code --version}.
 */
public final class Version implements IVersionProvider {

    /** Makes the provider (picocli instantiates it). */
    public Version() {}

    /**
     * The version, for example {@code 0.1.0-SNAPSHOT}.
     *
     * @return the version, or {@code "unknown"} when the build did not write it
     */
    public static String get() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The {@code --version} lines.
     *
     * @return one line: {@code blender <version>}
     */
    @Override
    public String[] getVersion() {
        return new String[] {"blender " + get()};
    }
}
