// Uses the generated types the way an app would, so tsc --strict checks that they
// resolve: the seed contract's POST /card/apply, a KYC status read and an admin call.
import type { components, paths } from "./api";

type ApplyRequest = NonNullable<paths["/card/apply"]["post"]["requestBody"]>["content"]["application/json"];
type ApplyResponse = paths["/card/apply"]["post"]["responses"]["200"]["content"]["application/json"];
type KycStatus = components["schemas"]["KycStatusResponse"];

export const virtualCard: ApplyRequest = { physical: false };
export function taskId(r: ApplyResponse): number {
  return r.data.task_id;
}
export function latestKycId(s: KycStatus): number | null {
  return s.latest_kyc ? s.latest_kyc.id : null;
}

type AdminLogin = paths["/admin/auth/login"]["post"]["responses"]["200"]["content"]["application/json"];
export function operatorToken(r: AdminLogin): string {
  return r.data.session?.token ?? ""; // no session while TOTP enrolment is pending
}
