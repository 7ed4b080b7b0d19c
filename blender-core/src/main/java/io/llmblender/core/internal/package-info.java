/**
 * Helpers shared by the packages of {@code blender-core}. Not part of the API: anything here may
 * change without notice, and other modules must not use it.
 */
package io.llmblender.core.internal;
