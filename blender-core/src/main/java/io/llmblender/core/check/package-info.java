/**
 * Helpers shared by this project's modules (argument checks, reading our model configuration
 * files). Not part of the API: anything here may change without notice, and code outside this
 * project must not use it.
 */
package io.llmblender.core.check;
