#pragma once
// What a device already holds. A backend asks needsUpload(slot, bytes of host data) before
// copying; the same contents in the same slot are uploaded once, and every byte that
// crosses the bus is counted, so tests on the CPU can check what a device path would copy
// (docs/ARCHITECTURE.md, "Resident data").
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace rankflow {

// FNV-1a over the bytes: a fingerprint of contents, not a security hash.
inline std::uint64_t fingerprintBytes(const void* data, std::size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h ^ bytes;
}

class UploadLedger {
 public:
  // True when `slot` does not hold these contents yet; records them as held (the caller
  // then uploads) and counts the bytes.
  bool needsUpload(const std::string& slot, const void* data, std::size_t bytes) {
    const std::uint64_t print = fingerprintBytes(data, bytes);
    auto it = held_.find(slot);
    if (it != held_.end() && it->second == print) return false;
    held_[slot] = print;
    bytesUploaded_ += bytes;
    ++uploads_;
    return true;
  }
  // The slot's device memory was lost or reused for something else.
  void forget(const std::string& slot) { held_.erase(slot); }
  void forgetAll() { held_.clear(); }
  void countUpload(std::size_t bytes) { bytesUploaded_ += bytes, ++uploads_; }
  void countDownload(std::size_t bytes) { bytesDownloaded_ += bytes, ++downloads_; }

  std::size_t bytesUploaded() const { return bytesUploaded_; }
  std::size_t bytesDownloaded() const { return bytesDownloaded_; }
  std::size_t uploads() const { return uploads_; }
  std::size_t downloads() const { return downloads_; }

 private:
  std::map<std::string, std::uint64_t> held_;
  std::size_t bytesUploaded_ = 0, bytesDownloaded_ = 0, uploads_ = 0, downloads_ = 0;
};

}  // namespace rankflow
