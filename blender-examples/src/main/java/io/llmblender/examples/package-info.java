/**
 * Runnable examples, the command-line tool and the benchmarks. Depends on every other module;
 * nothing depends on it.
 */
package io.llmblender.examples;
