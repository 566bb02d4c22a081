using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrentFutures.Analyzers;

/// <summary>
/// Reports, at compile time, delegates given to <c>ProcessPoolExecutor</c>, <c>ClusterExecutor</c>, <c>Pool</c> or
/// <c>Process</c> that cannot be sent to another process: a lambda capturing a variable (or <c>this</c>) whose type
/// cannot be copied, or an instance method group whose target cannot. The same rules the runtime applies at Submit.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SendToProcessAnalyzer : DiagnosticAnalyzer
{
    private const string Category = "ConcurrentFutures.Sending";
    private const string HelpLink = "https://github.com/concurrentfutures/concurrentfutures#what-can-be-sent";

    private static readonly DiagnosticDescriptor UnsendableCapture = new(
        DiagnosticIds.UnsendableCapture,
        "A captured variable cannot be sent to another process",
        "The lambda given to {0} captures '{1}', which cannot be sent to another process: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Work sent to a worker process or silo is copied there with its captured variables. Pass the data (strings, numbers, arrays, records) as arguments instead.",
        helpLinkUri: HelpLink);

    private static readonly DiagnosticDescriptor UnsendableThis = new(
        DiagnosticIds.UnsendableThis,
        "The lambda uses 'this', which cannot be sent to another process",
        "The lambda given to {0} uses 'this' ({1}), which cannot be sent to another process: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A lambda that uses an instance member captures the whole object. Make the lambda static, or copy the values it needs into locals of sendable types.",
        helpLinkUri: HelpLink);

    private static readonly DiagnosticDescriptor UnsendableMethodTarget = new(
        DiagnosticIds.UnsendableMethodTarget,
        "The method's target cannot be sent to another process",
        "The method {1} given to {0} is an instance method of an object that cannot be sent to another process: {2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An instance method group is sent together with its target object. Use a static method, or a sendable target.",
        helpLinkUri: HelpLink);

    private static readonly DiagnosticDescriptor RefCapture = new(
        DiagnosticIds.RefCapture,
        "A ref local or ref struct cannot be sent to another process",
        "The lambda given to {0} captures '{1}', a ref local or ref struct that lives on this thread's stack",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpLink);

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(UnsendableCapture, UnsendableThis, UnsendableMethodTarget, RefCapture);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            SendingTargets? targets = SendingTargets.Find(start.Compilation);
            if (targets is null)
            {
                return; // ConcurrentFutures is not referenced
            }

            var rules = new SendabilityRules(start.Compilation);
            var gate = new object();
            start.RegisterOperationAction(
                operation =>
                {
                    var invocation = (IInvocationOperation)operation.Operation;
                    if (targets.SendsToAnotherProcess(invocation.TargetMethod, invocation.Instance?.Type))
                    {
                        AnalyzeArguments(operation, invocation.Arguments, $"{(invocation.Instance?.Type ?? invocation.TargetMethod.ContainingType).Name}.{invocation.TargetMethod.Name}", rules, gate);
                    }
                },
                OperationKind.Invocation);
            start.RegisterOperationAction(
                operation =>
                {
                    var creation = (IObjectCreationOperation)operation.Operation;
                    if (creation.Constructor is { } constructor && targets.SendsToAnotherProcess(constructor, constructor.ContainingType))
                    {
                        AnalyzeArguments(operation, creation.Arguments, $"new {constructor.ContainingType.Name}", rules, gate);
                    }
                },
                OperationKind.ObjectCreation);
        });
    }

    private static void AnalyzeArguments(OperationAnalysisContext context, ImmutableArray<IArgumentOperation> arguments, string callee, SendabilityRules rules, object gate)
    {
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter?.Type.TypeKind != TypeKind.Delegate && argument.Parameter?.Type.SpecialType != SpecialType.System_Delegate
                && argument.Parameter?.Type.ToDisplayString() != "System.Delegate")
            {
                continue;
            }

            switch (Unwrap(argument.Value))
            {
                case IAnonymousFunctionOperation lambda:
                    AnalyzeLambda(context, lambda, callee, rules, gate);
                    break;
                case IMethodReferenceOperation { Instance: { } target } method:
                    string? reason;
                    lock (gate)
                    {
                        reason = target.Type is null ? null : rules.Check(target.Type);
                    }

                    if (reason is not null)
                    {
                        context.ReportDiagnostic(Diagnostic.Create(UnsendableMethodTarget, argument.Value.Syntax.GetLocation(), callee, method.Method.Name, reason));
                    }

                    break;
            }
        }
    }

    private static void AnalyzeLambda(OperationAnalysisContext context, IAnonymousFunctionOperation lambda, string callee, SendabilityRules rules, object gate)
    {
        if (lambda.Symbol.IsStatic)
        {
            return;
        }

        SemanticModel? model = lambda.SemanticModel;
        DataFlowAnalysis? flow = model?.AnalyzeDataFlow(lambda.Syntax);
        if (flow is null || !flow.Succeeded)
        {
            return;
        }

        foreach (ISymbol captured in flow.CapturedInside.Except(flow.VariablesDeclared, SymbolEqualityComparer.Default).Distinct(SymbolEqualityComparer.Default))
        {
            (ITypeSymbol? type, bool isRef, bool isThis) = captured switch
            {
                ILocalSymbol local => (local.Type, local.IsRef, false),
                IParameterSymbol { IsThis: true } self => (self.Type, false, true),
                IParameterSymbol parameter => (parameter.Type, parameter.RefKind != RefKind.None, false),
                _ => (null, false, false),
            };
            if (type is null)
            {
                continue;
            }

            Location location = FirstUse(lambda, captured) ?? lambda.Syntax.GetLocation();
            if (isRef || type.IsRefLikeType)
            {
                context.ReportDiagnostic(Diagnostic.Create(RefCapture, location, callee, captured.Name));
                continue;
            }

            string? reason;
            lock (gate)
            {
                reason = rules.Check(type);
            }

            if (reason is null)
            {
                continue;
            }

            context.ReportDiagnostic(isThis
                ? Diagnostic.Create(UnsendableThis, location, callee, type.Name, reason)
                : Diagnostic.Create(UnsendableCapture, location, callee, captured.Name, reason));
        }
    }

    /// <summary>Where the lambda first uses the captured symbol (for <c>this</c>: an implicit or explicit instance access).</summary>
    private static Location? FirstUse(IAnonymousFunctionOperation lambda, ISymbol captured)
    {
        foreach (IOperation operation in lambda.Body.Descendants())
        {
            bool uses = operation switch
            {
                ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, captured),
                IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter, captured),
                IInstanceReferenceOperation => captured is IParameterSymbol { IsThis: true },
                _ => false,
            };
            if (uses)
            {
                return operation.Syntax.GetLocation();
            }
        }

        return null;
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IDelegateCreationOperation creation:
                    operation = creation.Target;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }
}
