package io.llmblender.core.rank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.llm.ChatMessage;
import io.llmblender.testkit.TableRanker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** compare in three modes and multi-turn compare_conversations (spec section 2). */
class RankingsCompareTest {

    /** A in slot 1: 0.75; B in slot 1: 1.25 (a ranker with a bias for slot 1). */
    private static final double[][] BIASED = {{0, 0.75}, {1.25, 0}};

    private static final String INSTRUCTION =
            "Finish the following coversation in each i-th turn by filling in <Response i> with your response.";

    private static final List<ChatMessage> CONV_A = List.of(
            ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
            ChatMessage.user("How are you?"), ChatMessage.assistant("Fine."));

    private static final List<ChatMessage> CONV_B = List.of(
            ChatMessage.user("Hi"), ChatMessage.assistant("Hey"),
            ChatMessage.user("How are you?"), ChatMessage.assistant("Good, thanks."));

    private static CandidatePair p(int i, int j) {
        return new CandidatePair(i, j);
    }

    @Test
    void compare_bothOrders_differenceNotHalved() {
        TableRanker ranker = new TableRanker(new double[][] {{0, 2}, {-1, 0}});
        // M[A][B] - M[B][A] = 2 - (-1) = 3 (halved would be 1.5)
        assertThat(Rankings.compare(ranker, "src", "A", "B", CompareMode.BOTH_ORDERS))
                .isEqualTo(3.0);
        assertThat(ranker.requestedPairs()).containsExactlyInAnyOrder(p(0, 1), p(1, 0));
        assertThat(ranker.queries().get(0).candidates()).containsExactly("A", "B");
        assertThat(ranker.queries().get(0).source()).isEqualTo("src");
    }

    @Test
    void compare_bothOrders_cancelsPositionBias() {
        TableRanker ranker = new TableRanker(BIASED);
        // 0.75 - 1.25 = -0.5 -> B better
        assertThat(Rankings.compare(ranker, "src", "A", "B", CompareMode.BOTH_ORDERS))
                .isEqualTo(-0.5);
        assertThat(Rankings.isBetter(new TableRanker(BIASED), "src", "A", "B", CompareMode.BOTH_ORDERS))
                .isFalse();
    }

    @Test
    void compare_aFirst_isForwardLogitOnePair() {
        TableRanker ranker = new TableRanker(BIASED);
        // M[A][B] = 0.75
        assertThat(Rankings.compare(ranker, "src", "A", "B", CompareMode.A_FIRST))
                .isEqualTo(0.75);
        assertThat(ranker.requestedPairs()).containsExactly(p(0, 1));
        assertThat(Rankings.isBetter(new TableRanker(BIASED), "src", "A", "B", CompareMode.A_FIRST))
                .isTrue();
    }

    @Test
    void compare_bFirst_isReversedLogitAsIs() {
        TableRanker ranker = new TableRanker(BIASED);
        // M[B][A] = 1.25, returned as is: positive means B better
        assertThat(Rankings.compare(ranker, "src", "A", "B", CompareMode.B_FIRST))
                .isEqualTo(1.25);
        assertThat(ranker.requestedPairs()).containsExactly(p(1, 0));
        assertThat(Rankings.isBetter(new TableRanker(BIASED), "src", "A", "B", CompareMode.B_FIRST))
                .isTrue();
    }

    @Test
    void isBetter_zero_isFalse() {
        TableRanker ranker = new TableRanker(new double[][] {{0, 1}, {1, 0}});
        // 1 - 1 = 0, not > 0
        assertThat(Rankings.isBetter(ranker, "src", "A", "B", CompareMode.BOTH_ORDERS))
                .isFalse();
    }

    @Test
    void conversationSource_twoTurns_exactString() {
        assertThat(Rankings.CONVERSATION_INSTRUCTION).isEqualTo(INSTRUCTION);
        assertThat(Rankings.conversationSource(CONV_A))
                .isEqualTo(
                        INSTRUCTION + "USER: Hi\nAssistant: <Response 1>\nUSER: How are you?\nAssistant: <Response 2>");
    }

    @Test
    void conversationCandidate_twoTurns_exactString() {
        assertThat(Rankings.conversationCandidate(CONV_A)).isEqualTo("<Response 1>: Hello!\n<Response 2>: Fine.");
        assertThat(Rankings.conversationCandidate(CONV_B)).isEqualTo("<Response 1>: Hey\n<Response 2>: Good, thanks.");
    }

    @Test
    void compareConversations_sendsSourceAndBothCandidates() {
        TableRanker ranker = new TableRanker(new double[][] {{0, 2}, {-1, 0}});
        double d = Rankings.compareConversations(ranker, CONV_A, CONV_B, CompareMode.BOTH_ORDERS);
        // 2 - (-1) = 3
        assertThat(d).isEqualTo(3.0);
        PairQuery q = ranker.queries().get(0);
        assertThat(q.source())
                .isEqualTo(
                        INSTRUCTION + "USER: Hi\nAssistant: <Response 1>\nUSER: How are you?\nAssistant: <Response 2>");
        assertThat(q.candidates())
                .containsExactly(
                        "<Response 1>: Hello!\n<Response 2>: Fine.", "<Response 1>: Hey\n<Response 2>: Good, thanks.");
        assertThat(ranker.requestedPairs()).hasSize(2);
    }

    @Test
    void compareConversations_oddTurnCount_throws() {
        List<ChatMessage> odd = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("?"));
        TableRanker ranker = new TableRanker(BIASED);
        assertThatThrownBy(() -> Rankings.compareConversations(ranker, odd, odd, CompareMode.BOTH_ORDERS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rankings.conversationSource(odd)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ranker.requests()).isZero();
    }

    @Test
    void compareConversations_wrongRoleOrder_throws() {
        List<ChatMessage> swapped = List.of(ChatMessage.assistant("Hello!"), ChatMessage.user("Hi"));
        List<ChatMessage> system = List.of(ChatMessage.system("Be nice"), ChatMessage.assistant("Hello!"));
        TableRanker ranker = new TableRanker(BIASED);
        assertThatThrownBy(() -> Rankings.compareConversations(ranker, swapped, swapped, CompareMode.BOTH_ORDERS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rankings.conversationCandidate(system)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compareConversations_differentUserTurns_throws() {
        List<ChatMessage> other = List.of(
                ChatMessage.user("Hi"), ChatMessage.assistant("Hey"),
                ChatMessage.user("How old are you?"), ChatMessage.assistant("Old."));
        TableRanker ranker = new TableRanker(BIASED);
        assertThatThrownBy(() -> Rankings.compareConversations(ranker, CONV_A, other, CompareMode.BOTH_ORDERS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ranker.requests()).isZero();
    }

    @Test
    void compareConversations_differentTurnCounts_throws() {
        TableRanker ranker = new TableRanker(BIASED);
        assertThatThrownBy(() ->
                        Rankings.compareConversations(ranker, CONV_A, CONV_A.subList(0, 2), CompareMode.BOTH_ORDERS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compareConversations_empty_throws() {
        TableRanker ranker = new TableRanker(BIASED);
        assertThatThrownBy(() -> Rankings.compareConversations(ranker, List.of(), List.of(), CompareMode.A_FIRST))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
