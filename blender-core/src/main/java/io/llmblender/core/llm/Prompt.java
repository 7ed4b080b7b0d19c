package io.llmblender.core.llm;

import io.llmblender.core.check.Require;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a blend asks: an instruction with an optional input and an optional system text (the
 * LLM-Blender / MixInstruct form), or a whole conversation (the chat form). Immutable and
 * thread-safe.
 *
 * <p>The two forms meet in three views:
 * <ul>
 *   <li>{@link #messages()}: what is sent to each LLM;</li>
 *   <li>{@link #instruction()} and {@link #input()}: what a fuser sees;</li>
 *   <li>{@link #source()}: what a ranker scores candidates against, {@code instruction + input}
 *       concatenated with no separator, exactly as LLM-Blender does.</li>
 * </ul>
 * For the chat form, the instruction is the content of the last user message and the input is
 * empty; earlier turns reach the LLMs but not the ranker or the fuser.
 *
 * <pre>{@code
 * Prompt p = Prompt.of("Translate to French.", "Good morning").withSystem("Be brief.");
 * p.source();   // "Translate to French.Good morning"
 * p.messages(); // [SYSTEM "Be brief.", USER "Translate to French.\nGood morning"]
 * }</pre>
 *
 * <p><b>Limits.</b> At least one of instruction and input must be non-blank, and a prompt holds
 * at most {@value #MAX_CHARS} characters in all; otherwise the factories throw an
 * {@link IllegalArgumentException} naming the field and the value or length. Any characters are
 * kept as given (control characters, lone surrogates, any script).
 */
public final class Prompt {

    /**
     * The most characters a prompt may hold in all: instruction, input and system text, or the
     * contents of every chat message.
     */
    public static final int MAX_CHARS = 8_000_000;

    private final String instruction;
    private final String input;
    private final String system;
    private final List<ChatMessage> chat;
    private final Sampling sampling;

    private Prompt(String instruction, String input, String system, List<ChatMessage> chat) {
        this(instruction, input, system, chat, Sampling.NONE);
    }

    private Prompt(String instruction, String input, String system, List<ChatMessage> chat, Sampling sampling) {
        long total = 0;
        if (chat != null) {
            for (ChatMessage m : chat) {
                total += m.content().length();
            }
        } else {
            total = (long) instruction.length() + input.length() + (system == null ? 0 : system.length());
        }
        if (total > MAX_CHARS) {
            throw new IllegalArgumentException(
                    "a prompt must be at most " + MAX_CHARS + " characters in all (Prompt.MAX_CHARS), found " + total);
        }
        this.instruction = instruction;
        this.input = input;
        this.system = system;
        this.chat = chat;
        this.sampling = sampling;
    }

    /**
     * A prompt made of an instruction alone.
     *
     * @param instruction what to do, not blank
     * @return the prompt
     * @throws NullPointerException if {@code instruction} is null
     * @throws IllegalArgumentException if {@code instruction} is blank
     */
    public static Prompt of(String instruction) {
        return of(instruction, "");
    }

    /**
     * A prompt made of an instruction and an input, as in MixInstruct. Either may be empty, but
     * not both blank.
     *
     * @param instruction what to do, not null, may be empty
     * @param input what to do it on, not null, may be empty
     * @return the prompt
     * @throws NullPointerException if either argument is null
     * @throws IllegalArgumentException if both are blank
     */
    public static Prompt of(String instruction, String input) {
        Require.nonNull(instruction, "instruction");
        Require.nonNull(input, "input");
        if (instruction.isBlank() && input.isBlank()) {
            throw new IllegalArgumentException("prompt must have a non-blank instruction or input, found instruction="
                    + Require.quote(instruction) + " and input=" + Require.quote(input));
        }
        return new Prompt(instruction, input, null, null);
    }

    /**
     * A prompt in chat form. The conversation must end with a user message whose content is not
     * blank; a system message, if any, must come first.
     *
     * @param messages the conversation, copied
     * @return the prompt
     * @throws NullPointerException if the list or any message is null
     * @throws IllegalArgumentException if the list is empty, does not end with a non-blank user
     *     message, or has a system message anywhere but first
     */
    public static Prompt chat(List<ChatMessage> messages) {
        Require.nonNull(messages, "messages");
        List<ChatMessage> copy = List.copyOf(messages);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        for (int i = 1; i < copy.size(); i++) {
            if (copy.get(i).role() == Role.SYSTEM) {
                throw new IllegalArgumentException("messages[" + i + "] is a SYSTEM message; only messages[0] may be");
            }
        }
        ChatMessage last = copy.get(copy.size() - 1);
        if (last.role() != Role.USER) {
            throw new IllegalArgumentException("messages must end with a USER message, found " + last.role());
        }
        if (last.content().isBlank()) {
            throw new IllegalArgumentException(
                    "the last USER message must not be blank, found " + Require.quote(last.content()));
        }
        return new Prompt(last.content(), "", null, copy);
    }

    /**
     * This prompt with a system text sent before it. Only for the instruction form; in chat form
     * put a system message first instead.
     *
     * @param systemText the system text, not blank
     * @return a new prompt
     * @throws IllegalStateException if this prompt is in chat form
     * @throws IllegalArgumentException if {@code systemText} is blank
     */
    public Prompt withSystem(String systemText) {
        Require.nonBlank(systemText, "system");
        if (chat != null) {
            throw new IllegalStateException("a chat prompt takes its system text as its first message");
        }
        return new Prompt(instruction, input, systemText, null, sampling);
    }

    /**
     * This prompt with sampling options for its LLMs (temperature, top-p, the most new tokens, seed, stop). An
     * option the prompt does not set leaves each client's own default.
     *
     * @param options the options; {@link Sampling#NONE} for none
     * @return a new prompt
     */
    public Prompt withSampling(Sampling options) {
        Require.nonNull(options, "sampling");
        return new Prompt(instruction, input, system, chat, options);
    }

    /**
     * The sampling options this prompt asks for.
     *
     * @return the options, {@link Sampling#NONE} unless {@link #withSampling} set some
     */
    public Sampling sampling() {
        return sampling;
    }

    /**
     * What to do. For the chat form, the content of the last user message.
     *
     * @return the instruction, never {@code null}, possibly empty
     */
    public String instruction() {
        return instruction;
    }

    /**
     * What to do it on. Always empty for the chat form.
     *
     * @return the input, never {@code null}, possibly empty
     */
    public String input() {
        return input;
    }

    /**
     * The system text of an instruction-form prompt.
     *
     * @return the system text, or empty when none was given or the prompt is in chat form
     */
    public Optional<String> system() {
        return Optional.ofNullable(system);
    }

    /**
     * Whether this prompt was made with {@link #chat(List)}.
     *
     * @return true for the chat form
     */
    public boolean isChat() {
        return chat != null;
    }

    /**
     * The text a ranker scores candidates against: {@code instruction + input}, concatenated with
     * no separator, as LLM-Blender does.
     *
     * @return the source text
     */
    public String source() {
        return instruction + input;
    }

    /**
     * The instruction and the input as one text, separated by a newline (just one of them when
     * the other is empty): what the user message of the instruction form holds, and what an
     * LLM-backed fuser shows as the task.
     *
     * @return the task text
     */
    public String task() {
        return instruction.isEmpty() ? input : input.isEmpty() ? instruction : instruction + "\n" + input;
    }

    /**
     * The messages sent to an LLM. For the chat form, the conversation as given. For the
     * instruction form, an optional system message followed by one user message holding the
     * instruction and the input separated by a newline (just one of them when the other is
     * empty).
     *
     * @return an unmodifiable list of messages
     */
    public List<ChatMessage> messages() {
        if (chat != null) {
            return chat;
        }
        List<ChatMessage> messages = new ArrayList<>(2);
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(task()));
        return List.copyOf(messages);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Prompt other)) {
            return false;
        }
        return instruction.equals(other.instruction)
                && input.equals(other.input)
                && Objects.equals(system, other.system)
                && Objects.equals(chat, other.chat)
                && sampling.equals(other.sampling);
    }

    @Override
    public int hashCode() {
        return Objects.hash(instruction, input, system, chat, sampling);
    }

    @Override
    public String toString() {
        return "Prompt[" + (chat != null ? chat.size() + " messages, " : "") + "instruction="
                + Require.quote(instruction) + ", input=" + Require.quote(input) + "]";
    }
}
