package com.unipos.app.policy

import java.util.concurrent.ConcurrentHashMap

/** Who is calling, as the platform reported it for one binder call or one pay Intent. */
data class CallerIdentity(
    val uid: Int,
    /** Every package installed under [uid] (more than one with a shared user id). */
    val packages: List<String>,
    /** SHA-256 digests of the current signing certificates of each package (all signers). */
    val signerDigests: Map<String, Set<String>>,
    /** Whether the caller holds [com.unipos.sdk.UniPos.PERMISSION_PAYMENT]; only enforced on API 31+. */
    val holdsPermission: Boolean,
)

sealed class CallerVerdict {
    /** [scope] names the app: request ids, results and callbacks are kept apart per scope. */
    data class Allowed(val scope: String) : CallerVerdict()
    data class Rejected(val reason: String) : CallerVerdict()
}

/**
 * The acquirer's allow-list: package name -> SHA-256 digests of the signing certificates that
 * package may be signed with. Digests are compared as upper-case hex without separators, so
 * `apksigner`'s `ab:cd:...` and keytool's `AB:CD:...` forms both work.
 */
class AllowList(entries: Map<String, Collection<String>>) {
    private val digests: Map<String, Set<String>> =
        entries.mapValues { (_, v) -> v.map(::normaliseDigest).filter { it.length == 64 }.toSet() }

    fun certsFor(packageName: String): Set<String> = digests[packageName].orEmpty()

    val size: Int get() = digests.size

    companion object {
        fun normaliseDigest(d: String): String = d.filter { it.isLetterOrDigit() }.uppercase()

        /** Parses `pkg=DIGEST[,DIGEST...]` lines (the provisioning format); `#` starts a comment. */
        fun parse(text: String): AllowList = AllowList(
            text.lineSequence()
                .map { it.substringBefore('#').trim() }
                .filter { it.contains('=') }
                .associate { line -> line.substringBefore('=').trim() to line.substringAfter('=').split(',') },
        )
    }
}

/**
 * Decides whether a caller may use the payment service. Rules (docs/android-app.md, "Callers"):
 * our own uid is always allowed (the cashier screens); otherwise EVERY package of the uid must be on
 * the allow-list and signed only by allow-listed certificates (a shared uid cannot smuggle in an
 * unlisted app); on Android 12+ the caller must also hold the payment permission, which the platform
 * grants through `knownCerts` - on Android 7-11 it cannot be held by other-signed apps, so there the
 * allow-list is the gate.
 */
class CallerPolicy(
    private val allowList: AllowList,
    private val ownUid: Int,
    private val sdkInt: Int,
) {
    fun verify(caller: CallerIdentity): CallerVerdict {
        if (caller.uid == ownUid) return CallerVerdict.Allowed(OWN_SCOPE)
        if (caller.packages.isEmpty()) return CallerVerdict.Rejected("uid ${caller.uid} has no package")
        if (sdkInt >= PERMISSION_ENFORCED_FROM_SDK && !caller.holdsPermission) {
            return CallerVerdict.Rejected("permission not granted to uid ${caller.uid}")
        }
        for (pkg in caller.packages) {
            val allowed = allowList.certsFor(pkg)
            if (allowed.isEmpty()) return CallerVerdict.Rejected("$pkg is not on the allow-list")
            val signers = caller.signerDigests[pkg].orEmpty().map(AllowList::normaliseDigest)
            if (signers.isEmpty() || !allowed.containsAll(signers)) {
                return CallerVerdict.Rejected("$pkg is not signed with an allow-listed certificate")
            }
        }
        return CallerVerdict.Allowed(caller.packages.min())
    }

    companion object {
        /** Scope of the terminal's own cashier screens. */
        const val OWN_SCOPE = "pos"
        /** Android 12: knownCerts grants the permission, so it can be required of every caller. */
        const val PERMISSION_ENFORCED_FROM_SDK = 31
    }
}

/**
 * Verdicts per uid, because resolving packages and certificates costs a PackageManager round trip
 * per call. Must be cleared when a package is added, replaced or removed (a uid can be reused).
 */
class CallerCache {
    private val verdicts = ConcurrentHashMap<Int, CallerVerdict>()

    fun get(uid: Int, compute: () -> CallerVerdict): CallerVerdict = verdicts.getOrPut(uid, compute)

    fun clear() = verdicts.clear()
}
