package io.llmblender.ranker;

/**
 * The floating-point precision a {@link PairRanker} runs its model in.
 */
public enum Precision {
    /**
     * fp16 on a GPU when the export includes an fp16 model file, fp32 otherwise: what LLM-Blender
     * does (it casts to fp16 on GPU and keeps fp32 on CPU). The default.
     */
    AUTO,
    /** 32-bit floats on any device. */
    FP32,
    /**
     * 16-bit floats, from the export's fp16 model file. Requires that file; meant for GPUs, where
     * it halves memory and speeds up inference; on a CPU it works but is slower than fp32.
     */
    FP16
}
