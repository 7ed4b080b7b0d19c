/**
 * The {@code blender} command-line tool ({@link io.llmblender.examples.cli.BlenderCli}), one class per subcommand.
 */
package io.llmblender.examples.cli;
