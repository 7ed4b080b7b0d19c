/**
 * Benchmarks: main classes that print a table and write JSON under target/bench/; not tests.
 */
package io.llmblender.bench;
