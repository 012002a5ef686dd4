/**
 * Where to send someone after they sign in. Only paths on this site are followed, so a crafted
 * sign-in link can never send a person to another website; residents never land on staff pages,
 * nor staff outside them.
 */
function isLocalPath(value: string): boolean {
  const path = value.split('?')[0]!
  return path.startsWith('/') && !path.includes('//') && !value.includes('\\') && !/[\r\n\t]/.test(value)
}

export function residentReturnPath(value: unknown): string {
  const path = typeof value === 'string' ? value : ''
  const usable = isLocalPath(path) && !/^\/(staff|sign-in|sign-out)(\/|\?|$)/.test(path)
  return usable ? path : '/account'
}

export function staffReturnPath(value: unknown): string {
  const path = typeof value === 'string' ? value : ''
  const usable = isLocalPath(path) && /^\/staff(\/|\?|$)/.test(path) && !/^\/staff\/sign-(in|out)(\/|\?|$)/.test(path)
  return usable ? path : '/staff'
}
