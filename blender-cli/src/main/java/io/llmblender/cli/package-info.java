/**
 * The {@code blender} command-line tool ({@link io.llmblender.cli.BlenderCli}), one class per subcommand.
 */
package io.llmblender.cli;
