/** A Spring Boot app over blender-spring-boot-starter: six lines of YAML and an injected ChatModel that blends. */
package io.llmblender.examples.spring;
