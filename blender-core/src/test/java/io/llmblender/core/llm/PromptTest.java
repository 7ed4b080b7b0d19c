package io.llmblender.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTest {

    @Test
    void of_instructionOnly_hasEmptyInput() {
        Prompt p = Prompt.of("Name a prime.");

        assertThat(p.instruction()).isEqualTo("Name a prime.");
        assertThat(p.input()).isEmpty();
        assertThat(p.system()).isEmpty();
        assertThat(p.isChat()).isFalse();
    }

    @Test
    void of_emptyInstruction_keepsInput() {
        Prompt p = Prompt.of("", "Good morning");

        assertThat(p.instruction()).isEmpty();
        assertThat(p.input()).isEqualTo("Good morning");
    }

    @Test
    void of_emptyInput_keepsInstruction() {
        Prompt p = Prompt.of("Translate to French.", "");

        assertThat(p.instruction()).isEqualTo("Translate to French.");
        assertThat(p.input()).isEmpty();
    }

    @Test
    void of_bothBlank_throwsNamingBothValues() {
        assertThatThrownBy(() -> Prompt.of(" ", "\t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instruction=\" \"")
                .hasMessageContaining("input=\"\t\"");
    }

    @Test
    void of_bothEmpty_throws() {
        assertThatThrownBy(() -> Prompt.of("", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instruction=\"\"")
                .hasMessageContaining("input=\"\"");
    }

    @Test
    void of_blankInstructionAlone_throws() {
        assertThatThrownBy(() -> Prompt.of("   "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instruction");
    }

    @Test
    void of_nullInstruction_throwsNamingField() {
        assertThatThrownBy(() -> Prompt.of(null, "x"))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("instruction");
    }

    @Test
    void of_nullInput_throwsNamingField() {
        assertThatThrownBy(() -> Prompt.of("x", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("input");
    }

    @Test
    void source_concatenatesWithNoSeparator() {
        assertThat(Prompt.of("Translate to French.", "Good morning").source())
                .isEqualTo("Translate to French.Good morning");
    }

    @Test
    void source_emptyInstruction_isInput() {
        assertThat(Prompt.of("", "hello, how are you!").source()).isEqualTo("hello, how are you!");
    }

    @Test
    void source_ignoresSystem() {
        assertThat(Prompt.of("a", "b").withSystem("sys").source()).isEqualTo("ab");
    }

    @Test
    void messages_instructionAndInput_singleUserJoinedByNewline() {
        assertThat(Prompt.of("Translate to French.", "Good morning").messages())
                .containsExactly(ChatMessage.user("Translate to French.\nGood morning"));
    }

    @Test
    void messages_emptyInput_userIsInstructionOnly() {
        assertThat(Prompt.of("Name a prime.").messages()).containsExactly(ChatMessage.user("Name a prime."));
    }

    @Test
    void messages_emptyInstruction_userIsInputOnly() {
        assertThat(Prompt.of("", "Good morning").messages()).containsExactly(ChatMessage.user("Good morning"));
    }

    @Test
    void messages_withSystem_systemFirst() {
        Prompt p = Prompt.of("Translate to French.", "Good morning").withSystem("Be brief.");

        assertThat(p.messages())
                .containsExactly(
                        ChatMessage.system("Be brief."), ChatMessage.user("Translate to French.\nGood morning"));
    }

    @Test
    void messages_isUnmodifiable() {
        List<ChatMessage> messages = Prompt.of("x").messages();

        assertThatThrownBy(() -> messages.add(ChatMessage.user("y"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void withSystem_setsSystemAndKeepsOriginal() {
        Prompt plain = Prompt.of("x");
        Prompt withSystem = plain.withSystem("Be brief.");

        assertThat(withSystem.system()).contains("Be brief.");
        assertThat(plain.system()).isEmpty();
    }

    @Test
    void withSystem_blank_throws() {
        assertThatThrownBy(() -> Prompt.of("x").withSystem(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("system");
    }

    @Test
    void withSystem_onChatPrompt_throwsIllegalState() {
        Prompt chat = Prompt.chat(List.of(ChatMessage.user("hi")));

        assertThatThrownBy(() -> chat.withSystem("Be brief.")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void chat_lastUserMessage_becomesInstruction() {
        Prompt p = Prompt.chat(List.of(
                ChatMessage.system("Be brief."),
                ChatMessage.user("What is 2+2?"),
                ChatMessage.assistant("4"),
                ChatMessage.user("And 3+3?")));

        assertThat(p.instruction()).isEqualTo("And 3+3?");
        assertThat(p.input()).isEmpty();
        assertThat(p.source()).isEqualTo("And 3+3?");
        assertThat(p.isChat()).isTrue();
        assertThat(p.system()).isEmpty();
    }

    @Test
    void chat_messages_returnedAsGiven() {
        List<ChatMessage> conversation = List.of(
                ChatMessage.system("Be brief."),
                ChatMessage.user("What is 2+2?"),
                ChatMessage.assistant("4"),
                ChatMessage.user("And 3+3?"));

        assertThat(Prompt.chat(conversation).messages()).containsExactlyElementsOf(conversation);
    }

    @Test
    void chat_laterChangesToCallerList_doNotLeakIn() {
        List<ChatMessage> conversation = new ArrayList<>(List.of(ChatMessage.user("hi")));
        Prompt p = Prompt.chat(conversation);

        conversation.add(ChatMessage.assistant("hello"));

        assertThat(p.messages()).containsExactly(ChatMessage.user("hi"));
    }

    @Test
    void chat_emptyList_throws() {
        assertThatThrownBy(() -> Prompt.chat(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void chat_lastNotUser_throws() {
        assertThatThrownBy(() -> Prompt.chat(List.of(ChatMessage.user("hi"), ChatMessage.assistant("hello"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ASSISTANT");
    }

    @Test
    void chat_systemNotFirst_throws() {
        assertThatThrownBy(() -> Prompt.chat(
                        List.of(ChatMessage.user("hi"), ChatMessage.system("s"), ChatMessage.user("again"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messages[1]");
    }

    @Test
    void chat_blankLastUserMessage_throws() {
        assertThatThrownBy(() -> Prompt.chat(
                        List.of(ChatMessage.user("hi"), ChatMessage.assistant("a"), ChatMessage.user("  "))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
    }

    @Test
    void chat_null_throwsNamingField() {
        assertThatThrownBy(() -> Prompt.chat(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("messages");
    }

    @Test
    void equals_sameParts_equalWithSameHashCode() {
        Prompt a = Prompt.of("i", "x").withSystem("s");
        Prompt b = Prompt.of("i", "x").withSystem("s");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @Test
    void equals_differentSystem_notEqual() {
        assertThat(Prompt.of("i", "x").withSystem("s")).isNotEqualTo(Prompt.of("i", "x"));
    }

    @Test
    void equals_sameSourceDifferentSplit_notEqual() {
        assertThat(Prompt.of("ab", "c")).isNotEqualTo(Prompt.of("a", "bc"));
    }

    @Test
    void equals_chatVersusInstructionForm_notEqual() {
        assertThat(Prompt.chat(List.of(ChatMessage.user("hi")))).isNotEqualTo(Prompt.of("hi"));
    }

    @Test
    void equals_sameChat_equalWithSameHashCode() {
        Prompt a = Prompt.chat(List.of(ChatMessage.user("hi")));
        Prompt b = Prompt.chat(List.of(ChatMessage.user("hi")));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @Test
    void toString_hugeInstruction_staysSmall() {
        String huge = "x".repeat(1 << 20);

        assertThat(Prompt.of(huge, huge).toString()).hasSizeLessThan(200);
    }

    @Test
    void of_pastMaxChars_namesTheLimitAndLength() {
        String half = "x".repeat(Prompt.MAX_CHARS / 2);

        assertThat(Prompt.of(half, half).source()).hasSize(Prompt.MAX_CHARS);
        assertThatThrownBy(() -> Prompt.of(half, half + "y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a prompt must be at most 8000000 characters in all (Prompt.MAX_CHARS), found 8000001");
        assertThatThrownBy(() -> Prompt.of(half, half).withSystem("Be brief."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found 8000009");
    }
}
