/**
 * Spring Boot auto-configuration of a Blender from {@code blender.*} properties: {@link
 * io.llmblender.spring.BlenderAutoConfiguration} makes the upstream LLMs, the default ranker, an optional
 * fuser, the {@link io.llmblender.core.Blender}, its Micrometer observations, a LangChain4j {@code ChatModel}
 * and a health indicator; {@link io.llmblender.spring.BlenderProperties} documents every property. Spring
 * stays in this module: no other Blender module depends on it.
 */
package io.llmblender.spring;
