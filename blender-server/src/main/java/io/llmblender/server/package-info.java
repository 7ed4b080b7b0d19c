/**
 * An OpenAI-compatible HTTP server over configured ensembles: {@link io.llmblender.server.BlenderServer}
 * (embeddable, Jetty 12 core handlers), its JSON configuration {@link io.llmblender.server.ServerConfig},
 * caller keys {@link io.llmblender.server.ApiKey}, limits {@link io.llmblender.server.ServerLimits} and
 * ensembles {@link io.llmblender.server.Ensemble}.
 */
package io.llmblender.server;
