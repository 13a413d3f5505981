package com.unipos.app.ui

import android.app.Activity
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import android.widget.ArrayAdapter
import android.widget.ListView
import android.widget.TextView
import com.unipos.app.UniPosApplication
import com.unipos.app.policy.CallerPolicy
import com.unipos.core.ffi.Outcome
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.Requests

/** The transaction list of the current batch, newest first; tap one to reprint its receipt. */
class JournalActivity : Activity() {
    private val main = Handler(Looper.getMainLooper())
    private val dispatcher get() = (application as UniPosApplication).runtime.dispatcher
    private lateinit var status: TextView
    private lateinit var adapter: ArrayAdapter<String>
    private var entries: List<Outcome> = emptyList()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        status = text("tap a transaction to reprint it", 14f)
        adapter = ArrayAdapter(this, android.R.layout.simple_list_item_1, ArrayList())
        val list = ListView(this).apply {
            adapter = this@JournalActivity.adapter
            setOnItemClickListener { _, _, position, _ -> reprint(entries[position]) }
        }
        setContentView(column(status, list))
        Thread {
            val loaded = runCatching { dispatcher.journal(200).get() }.getOrDefault(emptyList())
            main.post { show(loaded) }
        }.start()
    }

    private fun show(loaded: List<Outcome>) {
        entries = loaded
        adapter.clear()
        adapter.addAll(loaded.map {
            "%06d  %s  %s  %s  %s".format(it.trace, it.kindName, CashierActivity.fen(it.amount), it.status, it.maskedPan ?: "")
        })
    }

    private fun reprint(o: Outcome) {
        dispatcher.startInBackground(CallerPolicy.OWN_SCOPE, Requests.reprint(Requests.newRequestId(), origTraceNo = "%06d".format(o.trace))) { start ->
            main.post { status.text = if (start.errorCode == ErrorCodes.OK) "reprinting trace %06d".format(o.trace) else "not started: ${start.message}" }
        }
    }
}
