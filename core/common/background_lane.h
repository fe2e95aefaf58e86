#pragma once
// The background thread behind the panels' models: requests come in bursts (a slider
// dragged, one t per frame) and only the newest answer is wanted, so each slot holds one
// waiting task and a post replaces it instead of queueing behind it.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace rankflow {

// One thread with `slots` one-task slots. Posting to a slot replaces the task waiting there
// (posting nullptr withdraws it); the lowest pending slot runs next, so a quick kind of task
// is not stuck behind a slow one waiting in the same thread. A running task is never
// interrupted: its owner stops it through its own cancel flag. The destructor drops what
// waits and joins, so whatever the tasks touch must outlive the lane (declare it last).
class BackgroundLane {
 public:
  explicit BackgroundLane(std::size_t slots = 1) : slots_(slots), thread_([this] { run(); }) {}
  ~BackgroundLane() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
      for (auto& slot : slots_) slot = nullptr;
    }
    wake_.notify_all();
    thread_.join();
  }
  BackgroundLane(const BackgroundLane&) = delete;
  BackgroundLane& operator=(const BackgroundLane&) = delete;

  void post(std::function<void()> task) { post(0, std::move(task)); }
  void post(std::size_t slot, std::function<void()> task) {
    {
      const std::lock_guard lock(mutex_);
      slots_[slot] = std::move(task);
    }
    wake_.notify_all();
  }

  // Nothing runs or waits. A task publishes before it returns, so once idle() is true
  // whatever it published can be read.
  bool idle() {
    const std::lock_guard lock(mutex_);
    return !busy_ && nextSlot() == slots_.end();
  }

 private:
  std::vector<std::function<void()>>::iterator nextSlot() {
    return std::find_if(slots_.begin(), slots_.end(), [](const auto& slot) { return slot != nullptr; });
  }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || nextSlot() != slots_.end(); });
      if (stopping_) return;
      std::function<void()> task = std::exchange(*nextSlot(), nullptr);
      busy_ = true;
      lock.unlock();
      task();
      lock.lock();
      busy_ = false;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::function<void()>> slots_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the members it uses exist
};

// Polls until `idle()` holds, or the timeout passes; true when idle. `idle` is read before
// each `poll`: a task publishes before its lane turns idle, so the poll after an idle
// reading takes everything published.
template <class Idle, class Poll>
bool pollUntilIdle(std::chrono::milliseconds timeout, std::chrono::milliseconds interval, Idle idle, Poll poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const bool wasIdle = idle();
    poll();
    if (wasIdle) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace rankflow
