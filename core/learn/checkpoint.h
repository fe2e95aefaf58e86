#pragma once
// Checkpoints of the learned model as .safetensors, the format PEFT uses: the base as
// `base.layers.L.weight` / `.bias` (out × in, C order), each adapter in PEFT's naming
// `orderK.layers.L.lora_A.weight` (r × in, = Vᵀ) and `.lora_B.weight` (out × r, = U) so
// standard tools (and `rankflow lora-ranks`) read it, per-order biases
// `orderK.layers.L.bias`, separate networks `orderK.layers.L.weight`; the configuration in
// `__metadata__`. Float32 throughout: a checkpoint round-trips bit for bit.
#include <map>
#include <string>

#include "core/learn/flow_network.h"

namespace rankflow::learn {

void saveCheckpoint(const std::string& path, const FlowNetwork& network,
                    const std::map<std::string, std::string>& extraMetadata = {});

// Throws InvalidArgument for a file that is not a Rankflow checkpoint (missing tensors,
// wrong shapes, bad metadata) or a malformed .safetensors.
FlowNetwork loadCheckpoint(const std::string& path, std::map<std::string, std::string>* metadata = nullptr);

}  // namespace rankflow::learn
