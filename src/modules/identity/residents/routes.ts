import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../../config.ts'
import type { Services } from '../../../container.ts'
import { InvalidInput, TooManyAttempts, type FieldErrors } from '../../../lib/errors.ts'
import { requireResident, residentId } from '../guards.ts'
import { clockTimeText } from './clock-time.ts'
import type { Person } from './service.ts'
import { emailError } from './validation.ts'
import { residentReturnPath } from '../return-paths.ts'
import { formField, takeFlash } from '../../../lib/http/forms.ts'

const view = (name: string) => `identity/views/residents/${name}.njk`
const text = (key: string) => `identity.residents.${key}`

/** The named fields of a posted form, each as formField reads it. */
function fields<Name extends string>(request: FastifyRequest, names: readonly Name[]): Record<Name, string> {
  return Object.fromEntries(names.map((name) => [name, formField(request, name)])) as Record<Name, string>
}

/** The service names its errors by locale key; the resident reads them in their language. */
function translated(request: FastifyRequest, errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([name, key]) => [name, request.t(key)]))
}

function tryAgainMessage(request: FastifyRequest, key: 'locked' | 'tooManyAttempts', moment: Date): string {
  return request.t(text(`errors.${key}`), { time: clockTimeText(request.t, moment, new Date()) })
}

/**
 * Runs a form's action; a mistake in what was typed shows the form again with the GOV.UK error
 * summary and inline messages, keeping what the resident entered.
 */
async function handleForm(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { show: (errors: FieldErrors) => FastifyReply | Promise<FastifyReply>; firstField: string },
  action: () => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await action()
  } catch (error) {
    if (error instanceof InvalidInput) {
      reply.code(400)
      return options.show(translated(request, error.fields))
    }
    if (error instanceof TooManyAttempts) {
      reply.code(429)
      return options.show({ [options.firstField]: tryAgainMessage(request, 'tooManyAttempts', error.retryAt) })
    }
    throw error
  }
}

function setFlash(request: FastifyRequest, message: string) {
  request.session.set('flash', message)
}

const signedIn = (request: FastifyRequest) => request.session.principal?.kind === 'resident'

/** Pages for residents: creating an account, signing in and out, passwords, and their own details. */
export async function residentRoutes(app: FastifyInstance, { config, services }: { config: Config; services: Services }) {
  const residents = services.identity.residents
  const appSignIns = services.identity.residentApiTokens
  const context = (request: FastifyRequest) => ({ ipAddress: request.ip })

  /** The signed-in resident, from the session only; a session whose person has gone is ended. */
  async function currentPerson(request: FastifyRequest, reply: FastifyReply): Promise<Person | undefined> {
    const person = await residents.findPersonById(residentId(request))
    if (!person) {
      request.session.signOut()
      await reply.redirect('/sign-in')
    }
    return person
  }

  const guarded = { preHandler: requireResident }

  // Creating an account

  const showRegistration = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string> = {}, errors?: FieldErrors) =>
    reply.view(view('create-account'), { pageTitle: request.t(text('register.title')), values, errors })

  app.get('/create-account', async (request, reply) => {
    if (signedIn(request)) return reply.redirect('/account')
    return showRegistration(request, reply)
  })

  app.post('/create-account', async (request, reply) => {
    const input = fields(request, ['givenName', 'familyName', 'email', 'password', 'mobile'] as const)
    // The password is never sent back to the browser in a form shown again.
    const kept = { givenName: input.givenName, familyName: input.familyName, email: input.email, mobile: input.mobile }
    return handleForm(request, reply, { show: (errors) => showRegistration(request, reply, kept, errors), firstField: 'givenName' }, async () => {
      await residents.registerResident(input, context(request))
      request.session.set('checkEmail', input.email.trim())
      return reply.redirect('/create-account/check-your-email')
    })
  })

  app.get('/create-account/check-your-email', async (request, reply) =>
    reply.view(view('check-your-email'), {
      pageTitle: request.t(text('checkEmail.title')),
      email: request.session.get<string>('checkEmail'),
    }),
  )

  app.get<{ Params: { secret: string } }>('/confirm-email/:secret', async (request, reply) => {
    const { outcome } = await residents.verifyEmail(request.params.secret, context(request))
    const titles = { verified: 'verifiedTitle', used: 'usedTitle', expired: 'expiredTitle', unknown: 'unknownTitle', valid: 'usedTitle' }
    reply.header('cache-control', 'no-store')
    if (outcome !== 'verified') reply.code(outcome === 'unknown' ? 404 : 410)
    return reply.view(view('confirm-email'), {
      pageTitle: request.t(text(`confirmEmail.${titles[outcome]}`)),
      verified: outcome === 'verified',
      signedIn: signedIn(request),
    })
  })

  // Signing in and out

  const showSignIn = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors?: FieldErrors) =>
    reply.view(view('sign-in'), {
      pageTitle: request.t(text('signIn.title')),
      values,
      errors,
      oneLoginSignIn: config.oneLogin ? `/sign-in/one-login?returnTo=${encodeURIComponent(values.returnTo ?? '/account')}` : undefined,
    })

  app.get<{ Querystring: { returnTo?: string } }>('/sign-in', async (request, reply) => {
    const returnTo = residentReturnPath(request.query.returnTo)
    if (signedIn(request)) return reply.redirect(returnTo)
    return showSignIn(request, reply, { returnTo })
  })

  app.post('/sign-in', async (request, reply) => {
    const { email, password, returnTo } = fields(request, ['email', 'password', 'returnTo'] as const)
    const values = { email, returnTo: residentReturnPath(returnTo) }
    const errors: FieldErrors = {}
    const emailProblem = emailError(email)
    if (emailProblem) errors.email = request.t(emailProblem)
    if (password === '') errors.password = request.t(text('errors.signInPassword.missing'))
    if (Object.keys(errors).length > 0) return showSignIn(request, reply.code(400), values, errors)

    const result = await residents.signIn({ email, password }, context(request))
    switch (result.outcome) {
      case 'signed-in':
        request.session.signIn({ kind: 'resident', id: result.personId })
        return reply.redirect(values.returnTo)
      case 'wrong-details':
        return showSignIn(request, reply.code(400), values, { email: request.t(text('errors.wrongDetails')) })
      case 'locked':
        return showSignIn(request, reply.code(403), values, { email: tryAgainMessage(request, 'locked', result.until) })
      case 'too-many-attempts':
        reply.header('retry-after', Math.max(1, Math.ceil((result.retryAt.getTime() - Date.now()) / 1000)))
        return showSignIn(request, reply.code(429), values, { email: tryAgainMessage(request, 'tooManyAttempts', result.retryAt) })
    }
  })

  // A page with a sign-out button for anyone who arrives at /sign-out by address; signing out
  // itself is only ever a POST.
  app.get('/sign-out', async (request, reply) => {
    if (!signedIn(request)) return reply.redirect('/')
    return reply.view(view('sign-out'), { pageTitle: request.t(text('signOut.title')) })
  })

  app.post('/sign-out', async (request, reply) => {
    const principal = request.session.principal
    if (principal?.kind === 'resident') await residents.recordSignOut(principal.id, context(request))
    request.session.signOut()
    return reply.redirect('/signed-out')
  })

  app.get('/signed-out', async (request, reply) => reply.view(view('signed-out'), { pageTitle: request.t(text('signOut.signedOut')) }))

  // Forgotten passwords

  const showForgotten = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string> = {}, errors?: FieldErrors) =>
    reply.view(view('forgotten-password'), { pageTitle: request.t(text('forgottenPassword.title')), values, errors })

  app.get('/forgotten-password', async (request, reply) => showForgotten(request, reply))

  app.post('/forgotten-password', async (request, reply) => {
    const { email } = fields(request, ['email'] as const)
    return handleForm(request, reply, { show: (errors) => showForgotten(request, reply, { email }, errors), firstField: 'email' }, async () => {
      await residents.requestPasswordReset({ email }, context(request))
      request.session.set('resetEmail', email.trim())
      return reply.redirect('/forgotten-password/check-your-email')
    })
  })

  app.get('/forgotten-password/check-your-email', async (request, reply) =>
    reply.view(view('reset-sent'), { pageTitle: request.t(text('resetSent.title')), email: request.session.get<string>('resetEmail') }),
  )

  const showLinkProblem = (request: FastifyRequest, reply: FastifyReply, outcome: string) => {
    const titles: Record<string, string> = { used: 'usedTitle', expired: 'expiredTitle', unknown: 'unknownTitle' }
    return reply
      .code(outcome === 'unknown' ? 404 : 410)
      .view(view('reset-link-problem'), { pageTitle: request.t(text(`resetPassword.${titles[outcome] ?? 'unknownTitle'}`)) })
  }

  const showReset = (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors) =>
    reply.header('cache-control', 'no-store').view(view('reset-password'), { pageTitle: request.t(text('resetPassword.title')), errors })

  app.get<{ Params: { secret: string } }>('/reset-password/:secret', async (request, reply) => {
    const state = await residents.checkPasswordResetLink(request.params.secret)
    if (state !== 'valid') return showLinkProblem(request, reply, state)
    return showReset(request, reply)
  })

  app.post<{ Params: { secret: string } }>('/reset-password/:secret', async (request, reply) => {
    const { password } = fields(request, ['password'] as const)
    return handleForm(request, reply, { show: (errors) => showReset(request, reply, errors), firstField: 'password' }, async () => {
      const { outcome } = await residents.resetPassword({ secret: request.params.secret, password }, context(request))
      if (outcome !== 'changed') return showLinkProblem(request, reply, outcome)
      request.session.signOut()
      return reply.redirect('/password-changed')
    })
  })

  app.get('/password-changed', async (request, reply) => reply.view(view('password-changed'), { pageTitle: request.t(text('passwordChanged.title')) }))

  // The resident's own account. Every handler below takes the person from the session.

  const showAccount = async (request: FastifyRequest, reply: FastifyReply, person: Person, extra: { errors?: FieldErrors } = {}) =>
    reply.header('cache-control', 'no-store').view(view('account'), {
      pageTitle: request.t(text('account.title')),
      person,
      tenancy: await services.places.tenancyOf(person.id),
      apps: await appSignIns.list(person.id),
      flash: takeFlash(request, 'flash'),
      ...extra,
    })

  app.get('/account', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    return showAccount(request, reply, person)
  })

  // An app the resident signed in to through the JSON API; someone else's is "not found".
  app.post<{ Params: { id: string } }>('/account/apps/:id/sign-out', guarded, async (request, reply) => {
    const personId = residentId(request)
    const signedInApp = (await appSignIns.list(personId)).find((candidate) => candidate.id === request.params.id)
    await appSignIns.revoke(personId, request.params.id)
    setFlash(request, signedInApp ? request.t(text('flash.appSignedOut'), { name: signedInApp.name }) : request.t(text('flash.someAppSignedOut')))
    return reply.redirect('/account', 303)
  })

  app.post('/account/confirm-email/resend', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    return handleForm(
      request,
      reply,
      { show: (errors) => showAccount(request, reply, person, { errors }), firstField: 'resend' },
      async () => {
        await residents.resendEmailVerification(person.id)
        setFlash(request, request.t(text('flash.verificationSent')))
        return reply.redirect('/account')
      },
    )
  })

  const showDetails = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors?: FieldErrors) =>
    reply.view(view('details'), { pageTitle: request.t(text('details.title')), values, errors })

  app.get('/account/details', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    return showDetails(request, reply, { givenName: person.givenName, familyName: person.familyName, email: person.email ?? '' })
  })

  app.post('/account/details', guarded, async (request, reply) => {
    const input = fields(request, ['givenName', 'familyName', 'email'] as const)
    return handleForm(request, reply, { show: (errors) => showDetails(request, reply, input, errors), firstField: 'givenName' }, async () => {
      const { emailChanged } = await residents.updateDetails(residentId(request), input)
      setFlash(request, request.t(text(emailChanged ? 'flash.emailChanged' : 'flash.detailsSaved')))
      return reply.redirect('/account')
    })
  })

  const showMobile = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors?: FieldErrors) =>
    reply.view(view('mobile'), { pageTitle: request.t(text('mobile.title')), values, errors })

  app.get('/account/mobile', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    return showMobile(request, reply, { mobile: person.mobile ?? '' })
  })

  app.post('/account/mobile', guarded, async (request, reply) => {
    const input = fields(request, ['mobile'] as const)
    return handleForm(request, reply, { show: (errors) => showMobile(request, reply, input, errors), firstField: 'mobile' }, async () => {
      const { codeSent } = await residents.changeMobile(residentId(request), input)
      if (codeSent) return reply.redirect('/account/mobile/confirm')
      setFlash(request, request.t(text(input.mobile.trim() === '' ? 'flash.mobileRemoved' : 'flash.detailsSaved')))
      return reply.redirect('/account')
    })
  })

  const showConfirmMobile = (request: FastifyRequest, reply: FastifyReply, person: Person, errors?: FieldErrors) =>
    reply.view(view('confirm-mobile'), {
      pageTitle: request.t(text('confirmMobile.title')),
      person,
      errors,
      flash: takeFlash(request, 'flash'),
    })

  app.get('/account/mobile/confirm', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    if (!person.mobile || person.mobileVerified) return reply.redirect('/account')
    return showConfirmMobile(request, reply, person)
  })

  app.post('/account/mobile/confirm', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    const input = fields(request, ['code'] as const)
    return handleForm(request, reply, { show: (errors) => showConfirmMobile(request, reply, person, errors), firstField: 'code' }, async () => {
      await residents.confirmMobile(person.id, input)
      setFlash(request, request.t(text('flash.mobileConfirmed')))
      return reply.redirect('/account')
    })
  })

  app.post('/account/mobile/resend', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    return handleForm(request, reply, { show: (errors) => showConfirmMobile(request, reply, person, errors), firstField: 'code' }, async () => {
      await residents.resendMobileCode(person.id)
      setFlash(request, request.t(text('flash.codeSent')))
      return reply.redirect('/account/mobile/confirm')
    })
  })

  const showContactPreference = (request: FastifyRequest, reply: FastifyReply, person: Person, value: string, errors?: FieldErrors) =>
    reply.view(view('contact-preference'), {
      pageTitle: request.t(text('contactPreference.title')),
      person,
      value,
      errors,
    })

  app.get('/account/contact-preference', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    return showContactPreference(request, reply, person, person.contactPreference)
  })

  app.post('/account/contact-preference', guarded, async (request, reply) => {
    const person = await currentPerson(request, reply)
    if (!person) return reply
    const input = fields(request, ['contactPreference'] as const)
    return handleForm(
      request,
      reply,
      { show: (errors) => showContactPreference(request, reply, person, input.contactPreference, errors), firstField: 'contactPreference' },
      async () => {
        await residents.setContactPreference(person.id, input)
        const method = request.t(text(input.contactPreference === 'text' ? 'flash.contactByText' : 'flash.contactByEmail'))
        setFlash(request, request.t(text('flash.contactPreferenceSaved'), { method }))
        return reply.redirect('/account')
      },
    )
  })
}
