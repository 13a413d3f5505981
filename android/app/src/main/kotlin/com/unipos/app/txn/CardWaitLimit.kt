package com.unipos.app.txn

import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.ScheduledFuture
import java.util.concurrent.TimeUnit

/**
 * A merchant app's own limit on the wait for the customer's card (its `cardWaitSeconds`). The core
 * waits for a card until one comes, the device's own timeout, or a cancel: when the limit passes
 * while the core still waits, [cancelWait] ends that wait, and the cancel it causes is told as the
 * timeout it was ([timedOut]). The limit runs anew at every wait for a card (a chip that fails and is
 * swiped instead is a second wait) and stops at the core's next event.
 */
internal class CardWaitLimit(
    val limitMs: Long,
    private val timers: ScheduledExecutorService,
    private val cancelWait: () -> Unit,
) {
    @Volatile var timedOut = false
        private set
    private var timer: ScheduledFuture<*>? = null
    /** Which wait the armed timer is for: a timer already running when a new wait is armed must not end it. */
    private var wait = 0

    /** Every core event while the request runs; [waitingForCard]: the core now waits for the card. */
    @Synchronized fun onEvent(waitingForCard: Boolean) {
        end()
        if (waitingForCard) {
            val armed = wait
            timer = timers.schedule({ expire(armed) }, limitMs, TimeUnit.MILLISECONDS)
        }
    }

    /** The request ended (or the core moved on from the wait). */
    @Synchronized fun end() {
        timer?.cancel(false)
        timer = null
        wait++
    }

    @Synchronized private fun expire(armed: Int) {
        if (armed != wait) return   // a card (the core's next event) came first
        timedOut = true
        end()
        cancelWait()
    }
}
