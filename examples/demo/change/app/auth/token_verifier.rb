module Auth
  class TokenVerifier
    def initialize(secret)
      @secret = secret
    end

    def verify(token)
      JWT.decode(token, @secret, true, algorithm: "HS256").first
    end
  end
end
