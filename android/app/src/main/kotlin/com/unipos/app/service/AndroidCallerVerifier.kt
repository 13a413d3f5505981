package com.unipos.app.service

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.content.pm.PackageManager
import android.os.Binder
import android.os.Build
import android.os.Process
import com.unipos.app.compat.Signers
import com.unipos.app.policy.CallerCache
import com.unipos.app.policy.CallerIdentity
import com.unipos.app.policy.CallerPolicy
import com.unipos.app.policy.CallerVerdict
import com.unipos.sdk.UniPos
import java.security.MessageDigest

/**
 * Android glue of [CallerPolicy]: collects the caller's packages, signing certificates and
 * permission from the PackageManager. Verdicts are cached per uid and dropped whenever a package
 * is added, replaced or removed.
 */
class AndroidCallerVerifier(private val context: Context, policy: () -> CallerPolicy) {
    private val policy by lazy(policy)
    private val cache = CallerCache()

    private val packageChanges = object : BroadcastReceiver() {
        override fun onReceive(c: Context, i: Intent) = cache.clear()
    }

    fun register() {
        val filter = IntentFilter().apply {
            addAction(Intent.ACTION_PACKAGE_ADDED)
            addAction(Intent.ACTION_PACKAGE_REPLACED)
            addAction(Intent.ACTION_PACKAGE_REMOVED)
            addDataScheme("package")
        }
        context.registerReceiver(packageChanges, filter)
    }

    fun unregister() = context.unregisterReceiver(packageChanges)

    /** The current binder call's caller. Call on the binder thread, inside the call. */
    fun verifyBinderCaller(): CallerVerdict {
        val uid = Binder.getCallingUid()
        return cache.get(uid) {
            val granted = context.checkCallingPermission(UniPos.PERMISSION_PAYMENT) == PackageManager.PERMISSION_GRANTED
            policy.verify(identity(uid, granted))
        }
    }

    /** A pay Intent's caller ([android.app.Activity.getCallingPackage]); its whole uid is checked. */
    fun verifyPackage(packageName: String): CallerVerdict {
        val pm = context.packageManager
        val uid = try {
            pm.getApplicationInfo(packageName, 0).uid
        } catch (e: PackageManager.NameNotFoundException) {
            return CallerVerdict.Rejected("$packageName is not installed")
        }
        if (uid == Process.myUid()) return CallerVerdict.Allowed(com.unipos.app.policy.AppCaller.CASHIER)
        return cache.get(uid) {
            val granted = pm.checkPermission(UniPos.PERMISSION_PAYMENT, packageName) == PackageManager.PERMISSION_GRANTED
            policy.verify(identity(uid, granted))
        }
    }

    private fun identity(uid: Int, holdsPermission: Boolean): CallerIdentity {
        val pm = context.packageManager
        val packages = pm.getPackagesForUid(uid)?.toList().orEmpty()
        return CallerIdentity(
            uid = uid,
            packages = packages,
            signerDigests = packages.associateWith { pkg -> Signers.current(pm, pkg).map { sha256(it.toByteArray()) }.toSet() },
            holdsPermission = holdsPermission,
        )
    }

    companion object {
        fun sha256(bytes: ByteArray): String =
            MessageDigest.getInstance("SHA-256").digest(bytes).joinToString("") { "%02X".format(it) }

        fun policyFor(allowList: com.unipos.app.policy.AllowList) =
            CallerPolicy(allowList, Process.myUid(), Build.VERSION.SDK_INT)

    }
}
