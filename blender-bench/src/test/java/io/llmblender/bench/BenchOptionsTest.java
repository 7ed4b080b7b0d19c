package io.llmblender.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.router.label.SoftLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** The benchmarks' command lines: defaults, parsed values, {@code none}, errors; no benchmark is run. */
class BenchOptionsTest {

    private static final Path ROOT = BenchArgs.repositoryRoot();

    @Test
    void repositoryRoot_holdsTheCommittedModels() {
        assertThat(ROOT.resolve("models/pairranker/ranker_config.json")).isRegularFile();
        assertThat(ROOT.resolve("models/genfuser/fuser_config.json")).isRegularFile();
    }

    @Nested
    class Ranker {

        @Test
        void defaults() {
            RankerBenchmark.Options o = RankerBenchmark.Options.parse();

            assertThat(o.ns).containsExactly(4, 8, 12);
            assertThat(o.tiny).isEqualTo(ROOT.resolve("models/pairranker"));
            assertThat(o.base).isEqualTo(ROOT.resolve("models/build/pairranker-base"));
            assertThat(o.out).isEqualTo(ROOT.resolve("target/bench/ranker.json"));
            assertThat(o.data).isNull();
            assertThat(new int[] {
                        o.question,
                        o.reps,
                        o.baseReps,
                        o.warmup,
                        o.baseWarmup,
                        o.referenceSample,
                        o.baseReferenceSample,
                        o.referenceReps,
                        o.baseReferenceReps,
                        o.varyingQuestions,
                        o.baseVaryingQuestions,
                        o.varyingN,
                        o.optimizerAb,
                        o.tokenBudget,
                        o.maxBatchRows
                    })
                    .containsExactly(0, 5, 2, 2, 1, 0, 6, 3, 1, 10, 0, 8, 0, 16_384, 64);
            assertThat(o.device).isEqualTo("cpu");
        }

        @Test
        void values_areParsed() {
            RankerBenchmark.Options o = RankerBenchmark.Options.parse(
                    "--n",
                    "4, 6",
                    "--reps",
                    "3",
                    "--base-reps",
                    "1",
                    "--warmup",
                    "0",
                    "--varying-questions",
                    "0",
                    "--token-budget",
                    "4096",
                    "--device",
                    "gpu",
                    "--data",
                    "x.csv",
                    "--out",
                    "r.json",
                    "--base",
                    "not/made/yet");

            assertThat(o.ns).containsExactly(4, 6);
            assertThat(new int[] {o.reps, o.baseReps, o.warmup, o.varyingQuestions, o.tokenBudget})
                    .containsExactly(3, 1, 0, 0, 4096);
            assertThat(o.device).isEqualTo("gpu");
            assertThat(o.data).isEqualTo(Path.of("x.csv"));
            assertThat(o.out).isEqualTo(Path.of("r.json"));
            assertThat(o.base).isEqualTo(Path.of("not/made/yet"));
        }

        @Test
        void optionGivenTwice_keepsTheLastValue() {
            assertThat(RankerBenchmark.Options.parse("--reps", "3", "--reps", "7").reps)
                    .isEqualTo(7);
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("--reps", "3", "--reps", "0"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--reps must be positive, got 0");
        }

        @Test
        void none_skipsAModel(@TempDir Path dir) {
            RankerBenchmark.Options o = RankerBenchmark.Options.parse("--tiny", "none", "--base", "none");
            assertThat(o.tiny).isNull();
            assertThat(o.base).isNull();

            assertThat(RankerBenchmark.Options.parse("--tiny", dir.toString()).tiny)
                    .isEqualTo(dir);
        }

        @Test
        void badValues_nameTheOptionAndTheValue(@TempDir Path dir) {
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("--n", "4,1"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--n needs at least 2 candidates, got 1");
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("--n", "0"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--n must be positive, got 0");
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("--reps", "0"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--reps must be positive, got 0");
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("--base-warmup", "-1"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--base-warmup must not be negative, got -1");
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("--reps", "many"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessageContaining("--reps")
                    .hasMessageContaining("'many'");
            Path missing = dir.resolve("missing");
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("--tiny", missing.toString()))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--tiny: no directory " + missing);
        }

        @Test
        void unknownOption_isRejected() {
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("--frobnicate", "1"))
                    .isInstanceOf(UnmatchedArgumentException.class)
                    .hasMessageContaining("'--frobnicate'");
            assertThatThrownBy(() -> RankerBenchmark.Options.parse("4"))
                    .isInstanceOf(UnmatchedArgumentException.class)
                    .hasMessageContaining("'4'");
        }

        @Test
        void usage_listsEveryOptionWithItsDefault() {
            String usage = new CommandLine(new RankerBenchmark.Options()).getUsageMessage();

            assertThat(usage)
                    .contains(
                            "RankerBenchmark",
                            "--tiny=DIR|none",
                            "--n=N[,N...]",
                            "--help",
                            "--base-reference-sample=K",
                            "(default: 6)",
                            "(default: [4, 8, 12])",
                            "--token-budget=T",
                            "(default: 16384)",
                            "--device=cpu|gpu",
                            "--optimizer-ab=K",
                            "--varying-n=N");
        }

        @Test
        void help_skipsTheChecks() {
            RankerBenchmark.Options o = RankerBenchmark.Options.parse("--reps", "0", "--help");
            assertThat(o.reps).isZero();
        }
    }

    @Nested
    class Fuser {

        @Test
        void defaults() {
            FuserBenchmark.Options o = FuserBenchmark.Options.parse();

            assertThat(o.tiny).isEqualTo(ROOT.resolve("models/genfuser"));
            assertThat(o.small).isEqualTo(ROOT.resolve("models/build/genfuser-small"));
            assertThat(o.out).isEqualTo(ROOT.resolve("target/bench/fuser.json"));
            assertThat(o.data).isNull();
            assertThat(new int[] {o.tokens, o.reps, o.smallReps(), o.warmup, o.smallWarmup, o.question, o.search})
                    .containsExactly(128, 3, 3, 2, 1, 0, 200);
            assertThat(o.threads).isNull();
            assertThat(o.device).isEqualTo("auto");
        }

        @Test
        void values_areParsed() {
            FuserBenchmark.Options o = FuserBenchmark.Options.parse(
                    "--tokens",
                    "16",
                    "--reps",
                    "2",
                    "--warmup",
                    "0",
                    "--question",
                    "3",
                    "--search",
                    "1",
                    "--threads",
                    "0",
                    "--device",
                    "cpu");

            assertThat(new int[] {o.tokens, o.reps, o.smallReps(), o.warmup, o.question, o.search})
                    .containsExactly(16, 2, 2, 0, 3, 1);
            assertThat(o.threads).isZero();
            assertThat(o.device).isEqualTo("cpu");
            assertThat(FuserBenchmark.Options.parse("--reps", "2", "--small-reps", "5")
                            .smallReps())
                    .isEqualTo(5);
        }

        @Test
        void none_skipsAModel() {
            FuserBenchmark.Options o = FuserBenchmark.Options.parse("--small", "none");
            assertThat(o.small).isNull();
            assertThat(o.tiny).isEqualTo(ROOT.resolve("models/genfuser"));
            assertThat(FuserBenchmark.Options.parse("--tiny", "none").tiny).isNull();
        }

        @Test
        void badValues_nameTheOptionAndTheValue() {
            assertThatThrownBy(() -> FuserBenchmark.Options.parse("--tokens", "0"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--tokens must be positive, got 0");
            assertThatThrownBy(() -> FuserBenchmark.Options.parse("--small-reps", "0"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--small-reps must be positive, got 0");
            assertThatThrownBy(() -> FuserBenchmark.Options.parse("--threads", "-2"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--threads must not be negative, got -2");
            assertThatThrownBy(() -> FuserBenchmark.Options.parse("--search", "0"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--search must be positive, got 0");
        }

        @Test
        void unknownOption_isRejected() {
            assertThatThrownBy(() -> FuserBenchmark.Options.parse("--beams", "4"))
                    .isInstanceOf(UnmatchedArgumentException.class)
                    .hasMessageContaining("'--beams'");
        }
    }

    @Nested
    class Router {

        @Test
        void defaults() {
            RouterEvaluation.Options o = RouterEvaluation.Options.parse();

            assertThat(new int[] {o.folds, o.limit, o.seed, o.clusters, o.epochs, o.latencyQueries})
                    .containsExactly(5, 0, 0, 8, 50, 50);
            assertThat(o.beta).isEqualTo(SoftLabels.DEFAULT_BETA);
            assertThat(o.rankers).first().isEqualTo(ROOT.resolve("models/pairranker"));
            Path base = ROOT.resolve("models/build/pairranker-base");
            if (Files.isRegularFile(base.resolve("ranker_config.json"))) {
                assertThat(o.rankers).containsExactly(ROOT.resolve("models/pairranker"), base);
            } else {
                assertThat(o.rankers).hasSize(1);
            }
            assertThat(o.out).isEqualTo(ROOT.resolve("target/bench/router-gsm8k.json"));
            assertThat(o.data).isNull();
            assertThat(o.minilmCache).isNull();
        }

        @Test
        void values_areParsed(@TempDir Path dir) throws Exception {
            Path a = Files.createDirectory(dir.resolve("a"));
            Path b = Files.createDirectory(dir.resolve("b"));
            RouterEvaluation.Options o = RouterEvaluation.Options.parse(
                    "--limit",
                    "100",
                    "--folds",
                    "2",
                    "--seed",
                    "-3",
                    "--beta",
                    "1",
                    "--epochs",
                    "2",
                    "--latency-queries",
                    "0",
                    "--rankers",
                    a + ", " + b,
                    "--minilm-cache",
                    "cache",
                    "--out",
                    "re.json");

            assertThat(new int[] {o.limit, o.folds, o.seed, o.epochs, o.latencyQueries})
                    .containsExactly(100, 2, -3, 2, 0);
            assertThat(o.beta).isEqualTo(1.0);
            assertThat(o.rankers).containsExactly(a, b);
            assertThat(o.minilmCache).isEqualTo(Path.of("cache"));
            assertThat(o.out).isEqualTo(Path.of("re.json"));
        }

        @Test
        void none_meansNoRanker() {
            assertThat(RouterEvaluation.Options.parse("--rankers", "none").rankers)
                    .isEmpty();
        }

        @Test
        void badValues_nameTheOptionAndTheValue(@TempDir Path dir) {
            assertThatThrownBy(() -> RouterEvaluation.Options.parse("--folds", "1"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--folds must be at least 2, got 1");
            assertThatThrownBy(() -> RouterEvaluation.Options.parse("--beta", "1.5"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--beta must be in [0, 1], got 1.5");
            assertThatThrownBy(() -> RouterEvaluation.Options.parse("--beta", "NaN"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--beta must be in [0, 1], got NaN");
            assertThatThrownBy(() -> RouterEvaluation.Options.parse("--limit", "-1"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--limit must not be negative, got -1");
            assertThatThrownBy(() -> RouterEvaluation.Options.parse("--clusters", "0"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--clusters must be positive, got 0");
            assertThatThrownBy(() -> RouterEvaluation.Options.parse("--beta", "high"))
                    .isInstanceOf(ParameterException.class)
                    .hasMessageContaining("--beta")
                    .hasMessageContaining("'high'");
            Path missing = dir.resolve("missing");
            assertThatThrownBy(() -> RouterEvaluation.Options.parse("--rankers", dir + "," + missing))
                    .isInstanceOf(ParameterException.class)
                    .hasMessage("--rankers: no directory " + missing);
        }

        @Test
        void unknownOption_isRejected() {
            assertThatThrownBy(() -> RouterEvaluation.Options.parse("--fold", "3"))
                    .isInstanceOf(UnmatchedArgumentException.class)
                    .hasMessageContaining("'--fold'");
        }
    }
}
