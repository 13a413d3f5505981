package com.unipos.app.job

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import android.util.Log
import com.unipos.app.UniPosApplication
import com.unipos.core.PosResult
import java.util.concurrent.TimeUnit

/**
 * The periodic job (JobScheduler, any network, every 15 minutes: the platform's minimum): sends
 * pending reversals and store-and-forward advices and settles automatically when the configured
 * time has passed. The work runs on the dispatcher's worker (queued behind a running transaction);
 * this service only waits for it on its own thread.
 */
class MaintenanceJobService : JobService() {
    @Volatile private var worker: Thread? = null

    override fun onStartJob(params: JobParameters): Boolean {
        val app = application as UniPosApplication
        worker = Thread({
            val result = try {
                app.runtime.maintenance().get(WAIT_MINUTES, TimeUnit.MINUTES)
            } catch (e: Exception) {
                Log.w(TAG, "maintenance did not finish: ${e.javaClass.simpleName}")
                null
            }
            when (result) {
                is PosResult.Success -> Log.i(TAG, "maintenance: ${result.value}")
                is PosResult.Failure -> Log.w(TAG, "maintenance failed: ${result.code} ${result.message}")
                null -> {}
            }
            // A failure (no network yet, host down) is retried by the next period; no backoff storm.
            jobFinished(params, false)
        }, "unipos-maintenance").apply { isDaemon = true; start() }
        return true
    }

    /** Stopped by the system (constraint lost): the queued engine work still completes; run again later. */
    override fun onStopJob(params: JobParameters): Boolean = true

    companion object {
        const val JOB_ID = 0x554E_4901
        const val PERIOD_MINUTES = 15L
        private const val WAIT_MINUTES = 10L
        private const val TAG = "unipos/job"

        /** The one-off job that resolves an UNKNOWN outcome soon (a lost answer's reversal, an open QR order). */
        const val SOON_JOB_ID = 0x554E_4902
        private const val SOON_MAX_DELAY_MS = 60_000L

        /**
         * Schedules a one-off maintenance run as soon as a network is there (within a minute at the
         * latest): after an UNKNOWN outcome, in case this process dies before its own prompt flush.
         */
        fun scheduleSoon(context: Context) {
            val scheduler = context.getSystemService(JobScheduler::class.java) ?: return
            val job = JobInfo.Builder(SOON_JOB_ID, ComponentName(context, MaintenanceJobService::class.java))
                .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                .setMinimumLatency(0)
                .setOverrideDeadline(SOON_MAX_DELAY_MS)
                .build()
            if (scheduler.schedule(job) != JobScheduler.RESULT_SUCCESS) Log.w(TAG, "the prompt maintenance job was not scheduled")
        }

        /** Schedules the periodic job unless it is already scheduled (a binder call; no disk). */
        fun schedule(context: Context) {
            val scheduler = context.getSystemService(JobScheduler::class.java) ?: return
            if (scheduler.getPendingJob(JOB_ID) != null) return
            val job = JobInfo.Builder(JOB_ID, ComponentName(context, MaintenanceJobService::class.java))
                .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                .setPeriodic(TimeUnit.MINUTES.toMillis(PERIOD_MINUTES))
                .setPersisted(true)
                .build()
            if (scheduler.schedule(job) != JobScheduler.RESULT_SUCCESS) Log.w(TAG, "the maintenance job was not scheduled")
        }
    }
}
