/**
 * Datasets for the command-line tool: JSONL files of {@link io.llmblender.eval.dataset.DatasetRecord}s in
 * LLM-Blender's MixInstruct format (one query with candidate answers of several LLMs per line), read with line-numbered
 * errors and a skip-or-stop policy, written resumably, with progress reporting.
 */
package io.llmblender.eval.dataset;
