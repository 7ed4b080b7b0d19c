package io.llmblender.ranker;

/**
 * The floating-point precision a {@link PairRanker} runs its model in.
 */
public enum Precision {
    /**
     * fp16 on a GPU when the export includes an fp16 model file, fp32 otherwise: what LLM-Blender
     * does (it casts to fp16 on GPU and keeps fp32 on CPU). The default. Never int8, which changes
     * rankings measurably (see {@link #INT8}).
     */
    AUTO,
    /** 32-bit floats on any device. */
    FP32,
    /**
     * 16-bit floats, from the export's fp16 model file. Requires that file; meant for GPUs, where
     * it halves memory and speeds up inference; on a CPU it works but is slower than fp32.
     */
    FP16,
    /**
     * int8 weights with activations quantized per call, from the export's int8 model file.
     * Requires that file; meant for CPUs, opt-in. Because the activation scale of a dynamically
     * quantized model depends on everything in its batch, an int8 model encodes one text per call,
     * so a text's score never depends on what else is ranked with it. On the shipped ranker's
     * weights the int8 exports of {@code models/export_segment_ranker.py} ranked 1.4x (attention
     * int8, Kendall tau 0.97-1.0 against fp32 rankings) and 2.8x (every MatMul int8, tau
     * 0.89-0.93) as fast as fp32 on OnnxRuntime (README, Performance).
     */
    INT8
}
